#!/usr/bin/env node
// Launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { exitWhenFlushed } from '../dist/cli/exit.js';
import { run } from '../dist/cli/run.js';

// Exits with the command's code instead of waiting for timers an aborted SDK call leaves armed (src/cli/exit.ts).
run(process.argv.slice(2)).then((code) => exitWhenFlushed(code));
