#!/usr/bin/env bash
# Install meshgov@$MESHGOV_VERSION globally for the GitHub Action (action.yml), unless that version is there.
set -euo pipefail

# An exact version only: no ranges, tags, URLs or paths, so what runs is what the workflow pinned.
if ! [[ "${MESHGOV_VERSION:-}" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "::error title=meshgov action::input version must be an exact version such as 0.1.0, got '${MESHGOV_VERSION:-}'"
  exit 64
fi
installed="$(meshgov --version 2>/dev/null || true)"
if [ "$installed" = "$MESHGOV_VERSION" ]; then
  echo "meshgov $MESHGOV_VERSION is installed"
else
  npm install --global --no-audit --no-fund "meshgov@$MESHGOV_VERSION"
fi
meshgov --version
