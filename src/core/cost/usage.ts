/**
 * Usage the mesh does not know exactly (bytes and records written, how often they are read), per stream: declared
 * in the mesh (`throughput`), measured by CloudWatch over an audit window, or an assumed default, each saying which.
 */
import { readsThroughConsumer } from '../model/grant-consumer.js';
import type { MetricsSnapshot } from '../audit/metrics.js';
import type { Mesh } from '../model/types.js';
import type { StreamUsage } from './types.js';

/** Record size assumed when the mesh declares only bytes or only records per second. */
export const ASSUMED_RECORD_BYTES = 1024;
const MIB = 1024 * 1024;

/** `<account>/<stream>`: how usage is keyed. */
export function usageKey(account: string, stream: string): string {
  return `${account}/${stream}`;
}

/** Usage per `<account>/<stream>` key. */
export type UsageByStream = ReadonlyMap<string, StreamUsage>;

/** The usage of a stream nobody declared or measured: no data, only the fixed charges. */
export function assumedUsage(pollingReaders = 0): StreamUsage {
  return {
    writeBytesPerSecond: 0,
    writeRecordsPerSecond: 0,
    pollingReaders,
    basis: 'assumed',
    note: 'no throughput declared or measured: data charges taken as 0 (declare `throughput` to estimate them)',
  };
}

// One formatter, made on first use: `toLocaleString` with options builds one per call. Integers and up to three
// decimals, as `toLocaleString('en-US')` writes them.
let numberFormat: Intl.NumberFormat | undefined;
function fmt(n: number): string {
  return (numberFormat ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 })).format(n);
}

/** A stream's declared throughput as usage (undefined when it declares none). */
export function declaredUsage(
  throughput: { writeMiBPerSecond?: number; writeRecordsPerSecond?: number } | undefined,
  pollingReaders: number,
): StreamUsage | undefined {
  const mib = throughput?.writeMiBPerSecond;
  const records = throughput?.writeRecordsPerSecond;
  const ok = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n) && n >= 0;
  if (ok(mib) && ok(records)) {
    return {
      writeBytesPerSecond: mib * MIB,
      writeRecordsPerSecond: records,
      pollingReaders,
      basis: 'declared',
      note: `declared throughput ${fmt(mib)} MiB/s, ${fmt(records)} records/s`,
    };
  }
  if (ok(mib)) {
    return {
      writeBytesPerSecond: mib * MIB,
      writeRecordsPerSecond: (mib * MIB) / ASSUMED_RECORD_BYTES,
      pollingReaders,
      basis: 'declared',
      note: `declared throughput ${fmt(mib)} MiB/s; records of ${ASSUMED_RECORD_BYTES} bytes assumed`,
    };
  }
  if (ok(records)) {
    return {
      writeBytesPerSecond: records * ASSUMED_RECORD_BYTES,
      writeRecordsPerSecond: records,
      pollingReaders,
      basis: 'declared',
      note: `declared throughput ${fmt(records)} records/s; records of ${ASSUMED_RECORD_BYTES} bytes assumed`,
    };
  }
  return undefined;
}

/**
 * Declared usage of every stream of the mesh. Polling readers are the consume grants that read through the shared
 * throughput (replay, filtered through a Lambda mapping, fanout through an intermediary); grants with an EFO
 * consumer (efo, filtered with `consumer`) are consumers of the stream's configuration instead.
 */
export function usageFromMesh(mesh: Pick<Mesh, 'streams' | 'grants'>): Map<string, StreamUsage> {
  const readers = new Map<string, number>();
  for (const g of mesh.grants) {
    if (g.access === 'consume' && !readsThroughConsumer(g)) readers.set(g.stream, (readers.get(g.stream) ?? 0) + 1);
  }
  const out = new Map<string, StreamUsage>();
  for (const s of mesh.streams) {
    const n = readers.get(s.name) ?? 0;
    out.set(usageKey(s.account, s.name), declaredUsage(s.throughput, n) ?? assumedUsage(n));
  }
  return out;
}

/**
 * Measured usage over an audit window: the shard-level IncomingBytes and IncomingRecords sums of every shard, averaged
 * over the window. Streams without an IncomingBytes series (enhanced monitoring off) are left out: they keep their
 * declared usage. `readers` gives the polling readers per key (from the mesh); measured reads are not used, since
 * OutgoingBytes is not among the metrics the audit reads.
 */
export function usageFromMetrics(
  snapshot: MetricsSnapshot,
  readers: UsageByStream = new Map(),
): Map<string, StreamUsage> {
  const seconds = (Date.parse(snapshot.window.end) - Date.parse(snapshot.window.start)) / 1000;
  const out = new Map<string, StreamUsage>();
  if (!Number.isFinite(seconds) || seconds <= 0) return out;
  const sum = (values: readonly number[]) => values.reduce((n, v) => n + (Number.isFinite(v) && v > 0 ? v : 0), 0);
  for (const s of snapshot.streams) {
    const bytes = s.shards.filter((sh) => sh.series.IncomingBytes !== undefined);
    if (bytes.length === 0) continue;
    const totalBytes = sum(bytes.flatMap((sh) => sh.series.IncomingBytes?.values ?? []));
    const totalRecords = sum(s.shards.flatMap((sh) => sh.series.IncomingRecords?.values ?? []));
    const key = usageKey(s.account, s.stream);
    const hours = Math.round((seconds / 3600) * 10) / 10;
    out.set(key, {
      writeBytesPerSecond: totalBytes / seconds,
      writeRecordsPerSecond: totalRecords / seconds,
      pollingReaders: readers.get(key)?.pollingReaders ?? 0,
      basis: 'measured',
      note: `measured by CloudWatch over ${fmt(hours)} h (${snapshot.window.start} to ${snapshot.window.end})`,
    });
  }
  return out;
}

/** `primary` where it has a stream, else `fallback` (measured over declared). */
export function preferUsage(primary: UsageByStream, fallback: UsageByStream): Map<string, StreamUsage> {
  return new Map([...fallback, ...primary]);
}
