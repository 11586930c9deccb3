export * from './types.js';
export type * from './live.js';
export { computePlan } from './diff.js';
export type { PlanInput } from './diff.js';
export { canonicalJson, jsonEqual, meshDigest, sha256Hex } from './canonical.js';
export { declaredStreams, emptyScope, liveFingerprint, scopeDesired, scopeLive, unmanagedReason } from './scope.js';
export { accessFromPolicy, accessFromTags, isGrantTag, principalArn } from './access.js';
export { ALL_SHARD_METRICS, normaliseMetrics, targetShards } from './diff-stream.js';
export { parsePlan } from './parse.js';
