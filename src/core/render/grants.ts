/**
 * Which grants render, and what each grant lets its principal do. One place decides, so identity policies,
 * resource policies and the fanout policy can never disagree about a grant's action set.
 */
import { readsThroughConsumer } from '../model/grant-consumer.js';
import { grantActive } from '../model/checks/expiry.js';
import type { Grant, Mesh } from '../model/types.js';
import {
  EFO_CONSUMER_ACTIONS,
  LAMBDA_EXTRA_ACTIONS,
  POLLING_READ_ACTIONS,
  PRODUCER_ACTIONS,
  actionUnion,
} from './actions.js';

/** The grants that render on `today`, in declaration order. Expired grants are not rendered. */
export function activeGrants(mesh: Pick<Mesh, 'grants'>, today: string): Grant[] {
  return mesh.grants.filter((g) => grantActive(g, today));
}

/**
 * Whether the grant's reader is a Lambda event source mapping, which needs `kinesis:DescribeStream`:
 * `filtered` always; `fanout` when the intermediary is a Lambda function pushing to AppSync or API Gateway
 * WebSockets (a custom WebSocket server polls like any other consumer).
 */
export function readsThroughLambda(grant: Pick<Grant, 'access' | 'pattern' | 'fanout'>): boolean {
  if (grant.access !== 'consume') return false;
  if (grant.pattern === 'filtered') return true;
  return grant.pattern === 'fanout' && grant.fanout?.target !== 'custom-websocket';
}

/** Actions the grant allows on its stream (sorted). */
export function streamActions(grant: Pick<Grant, 'access' | 'pattern' | 'fanout'>): string[] {
  // Copies of unions computed once: this runs for every grant of the mesh.
  if (grant.access === 'produce') return [...PRODUCE];
  return [...(readsThroughLambda(grant) ? POLL_VIA_LAMBDA : POLL)];
}

const PRODUCE = actionUnion(PRODUCER_ACTIONS);
const POLL = actionUnion(POLLING_READ_ACTIONS);
const POLL_VIA_LAMBDA = actionUnion(POLLING_READ_ACTIONS, LAMBDA_EXTRA_ACTIONS);
const EFO = actionUnion(EFO_CONSUMER_ACTIONS);

/**
 * Actions the grant allows on its enhanced fan-out consumer (sorted; empty unless it has one: `efo`, or `filtered`
 * with `consumer`, whose Lambda function's role then subscribes to the consumer's shards).
 */
export function consumerActions(grant: Pick<Grant, 'access' | 'pattern' | 'consumerName'>): string[] {
  return readsThroughConsumer(grant) ? [...EFO] : [];
}

/**
 * A stable IAM Sid from a grant id: IAM allows only `[A-Za-z0-9]`, so `fraud-scorer-reads-transactions` becomes
 * `FraudScorerReadsTransactions`. Ids that collapse to the same Sid get a short hash of the id appended.
 */
export function sidFor(id: string, prefix = ''): string {
  // One pass over the id (it runs for every grant of the mesh): the ASCII letters and digits, each run of them
  // starting with a capital; everything else separates runs. Character codes first and one string at the end: a
  // string grown a character at a time leaves a string per character behind.
  const codes: number[] = [];
  let wordStart = true;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const lower = c >= 97 && c <= 122;
    if (!(lower || (c >= 65 && c <= 90) || (c >= 48 && c <= 57))) {
      wordStart = true;
      continue;
    }
    codes.push(wordStart && lower ? c - 32 : c);
    wordStart = false;
  }
  const base = prefix + String.fromCharCode(...codes);
  return base === '' ? `G${shortHash(id)}` : base;
}

/** Sids for a list of ids, unique within one document: collisions are disambiguated with a hash of the id. */
export function uniqueSids(ids: readonly string[], prefix = ''): Map<string, string> {
  const sids = uniqueSidList(ids, prefix);
  return new Map(ids.map((id, i) => [id, sids[i] as string]));
}

/** {@link uniqueSids} as a list, the Sid of `ids[i]` at `i` (render asks it once per stream: no maps when no Sid collides). */
export function uniqueSidList(ids: readonly string[], prefix = ''): string[] {
  const sids = ids.map((id) => sidFor(id, prefix));
  if (new Set(sids).size === sids.length) return sids;
  const counts = new Map<string, number>();
  for (const sid of sids) counts.set(sid, (counts.get(sid) ?? 0) + 1);
  return sids.map((sid, i) => ((counts.get(sid) ?? 0) > 1 ? `${sid}${shortHash(ids[i] as string)}` : sid));
}

/** FNV-1a 32-bit, hex: a deterministic short hash (not for security). */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
