#!/usr/bin/env node
// Launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { run } from '../dist/cli/run.js';

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
