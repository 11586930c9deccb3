/** The meshgov CLI from source (benchmarks run the code of the working tree, not a possibly stale dist/). */
import { run } from '../src/cli/run.js';

process.exitCode = await run(process.argv.slice(2));
