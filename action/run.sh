#!/usr/bin/env bash
# Run one meshgov command for the GitHub Action (action.yml). The inputs come in MESHGOV_* environment variables;
# the argument list is built as an array (no eval, no word expansion of inputs), and the outputs go to
# $GITHUB_OUTPUT: exit-code, plan-path and has-changes (plan), audit-path (audit).
set -uo pipefail

# A bad input is a usage error: 64, as meshgov's own usage errors (sysexits.h EX_USAGE), never 2 ("changes pending").
fail() {
  echo "::error title=meshgov action::$1"
  echo "exit-code=64" >> "$GITHUB_OUTPUT"
  exit 64
}

# Values that end up in $GITHUB_OUTPUT or name files must be one line.
for name in MESHGOV_COMMAND MESHGOV_MESH_FILE MESHGOV_PLAN_PATH MESHGOV_AUDIT_PATH MESHGOV_STDOUT_FILE MESHGOV_SAVED_PLAN; do
  case "${!name:-}" in
    *$'\n'* | *$'\r'*) fail "input ${name#MESHGOV_} must be a single line" ;;
  esac
done

read -r -a words <<< "${MESHGOV_COMMAND:-}"
[ "${#words[@]}" -gt 0 ] || fail "input command is empty"
read -r -a extra <<< "${MESHGOV_ARGS:-}"
cmd="${words[0]}"
mesh="${MESHGOV_MESH_FILE:-mesh.yaml}"
plan_path="${MESHGOV_PLAN_PATH:-plan.json}"
audit_path="${MESHGOV_AUDIT_PATH:-audit.json}"

argv=("${words[@]}")
case "$cmd" in
  validate | render | import) argv+=("$mesh") ;;
  # A saved plan is applied against the mesh it was made from (apply recomputes and compares).
  apply) if [ -n "${MESHGOV_SAVED_PLAN:-}" ]; then argv+=("$MESHGOV_SAVED_PLAN" --mesh "$mesh"); else argv+=("$mesh"); fi ;;
  plan) argv+=("$mesh" --out "$plan_path" --detailed-exitcode) ;;
  audit) argv+=("$mesh" --out "$audit_path") ;;
  report | reviewed-plan) argv+=(--mesh-file "$mesh") ;;
  rules | schema) ;;
  *) fail "unknown command '$cmd' (validate, render, plan, apply, audit, import, report github, reviewed-plan, rules, schema)" ;;
esac
argv+=(${extra[@]+"${extra[@]}"})

# Only report and reviewed-plan talk to GitHub: no other command gets the token.
if [ "$cmd" = report ] || [ "$cmd" = reviewed-plan ]; then export GITHUB_TOKEN="${MESHGOV_GITHUB_TOKEN:-}"; else unset GITHUB_TOKEN; fi
unset MESHGOV_GITHUB_TOKEN

echo "meshgov ${argv[*]}"
if [ -n "${MESHGOV_STDOUT_FILE:-}" ]; then
  meshgov "${argv[@]}" > "$MESHGOV_STDOUT_FILE"
else
  meshgov "${argv[@]}"
fi
code=$?

{
  echo "exit-code=$code"
  if [ "$cmd" = plan ]; then
    if [ -f "$plan_path" ]; then echo "plan-path=$plan_path"; fi
    case "$code" in
      0) echo "has-changes=false" ;;
      2) echo "has-changes=true" ;;
    esac
  fi
  if [ "$cmd" = audit ] && [ -f "$audit_path" ]; then echo "audit-path=$audit_path"; fi
} >> "$GITHUB_OUTPUT"

# plan --detailed-exitcode: 2 means changes are pending, which is a successful plan.
if [ "$cmd" = plan ] && [ "$code" -eq 2 ]; then exit 0; fi
exit "$code"
