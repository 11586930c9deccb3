import { CreateStreamCommand, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { performance } from 'node:perf_hooks';
import { ClientPool } from '../src/adapters/aws/client-pool.js';
import { mapLimit } from '../src/adapters/aws/concurrency.js';
import { AwsLiveReader } from '../src/adapters/aws/live-reader.js';
import { startKinesisLocal } from '../src/adapters/local/kinesis-local.js';
const target = await startKinesisLocal({ region: 'eu-west-1', handleSignals: true, env: { LOG_LEVEL: 'ERROR', SHARD_LIMIT: '100000', ON_DEMAND_STREAM_COUNT_LIMIT: '100000' } });
const accounts = ['100000000000', '100000001111'];
const setup = new ClientPool({ target: 'local', region: 'eu-west-1', partition: 'aws', endpoint: target.endpoint, command: 'bench', rateLimitScale: 0 });
const names = accounts.flatMap((a) => Array.from({ length: 30 }, (_, i) => ({ a, n: `s-${i}` })));
await mapLimit(names, 16, async (x) => void (await setup.kinesis(x.a).send(new CreateStreamCommand({ StreamName: x.n, ShardCount: 1 }))));
await new Promise((r) => setTimeout(r, 1000));
const times: Record<string, number[]> = {};
const pool = new ClientPool({ target: 'local', region: 'eu-west-1', partition: 'aws', endpoint: target.endpoint, command: 'plan', rateLimitScale: 0 });
for (const a of accounts) for (const c of [pool.kinesis(a), pool.tagging(a)]) {
  (c.middlewareStack as any).add((next: any, ctx: any) => async (args: any) => { const t = performance.now(); try { return await next(args); } finally { (times[ctx.commandName] ??= []).push(performance.now() - t); } }, { step: 'initialize', name: 'timing' });
}
const reader = new AwsLiveReader(pool, { readIam: false, readOrganization: false, iamPathPrefix: '/' });
const t0 = performance.now();
const decl = new Map(accounts.map((a) => [a, new Set(names.filter((x) => x.a === a).map((x) => x.n))]));
await reader.read({ mesh: 'm', region: 'eu-west-1', partition: 'aws', accounts, declared: decl });
console.log('total', performance.now() - t0);
for (const [k, v] of Object.entries(times)) console.log(k, v.length, (v.reduce((a, b) => a + b, 0) / v.length).toFixed(1), Math.max(...v).toFixed(0));
pool.destroy(); setup.destroy(); await target.stop();
