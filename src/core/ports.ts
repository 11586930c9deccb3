/**
 * Interfaces the adapters implement and the core/CLI consume (Terraform's provider interface): tests replace them.
 */
import type { AccountId } from './model/types.js';
import type { LiveState } from './plan/live.js';

/** The one clock. Pure code only reads it; adapters also wait on it (`Timer`), and tests pass fake ones. */
export interface Clock {
  now(): Date;
}

/** A clock that can wait: what the adapters pace, back off and poll with (the core never waits). */
export interface Timer extends Clock {
  sleep(ms: number): Promise<void>;
}

/** What a live read covers. */
export interface ReadRequest {
  mesh: string;
  region: string;
  partition: string;
  /** Accounts to read, in mesh order. */
  accounts: AccountId[];
  /** Streams declared in the mesh per account: these always get a full read (plus those tagged managed-by meshgov). */
  declared: Map<AccountId, Set<string>>;
  /** Role names per account whose policies meshgov renders (the IAM reader reads these roles too). */
  roles?: Map<AccountId, Set<string>>;
  /**
   * Event sources (stream ARNs) per grantee account whose Lambda event source mappings are read (filtered grants;
   * the function lives in the grantee's account). Accounts absent here read no mappings.
   */
  mappingSources?: Map<AccountId, Set<string>>;
}

export type ReadProgress = (event: {
  account: AccountId;
  phase: 'start' | 'listed' | 'done';
  streams?: number;
  managed?: number;
}) => void;

/** Reads the live state of the mesh accounts. Implemented for AWS (SDK v3) and for the local target. */
export interface LiveReader {
  read(request: ReadRequest, progress?: ReadProgress): Promise<LiveState>;
}
