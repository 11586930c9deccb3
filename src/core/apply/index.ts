export * from './types.js';
export * from './shard-steps.js';
export * from './budget.js';
export * from './steps.js';
export * from './run.js';
export * from './summary.js';
