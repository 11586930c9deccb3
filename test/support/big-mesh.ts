/**
 * A valid mesh with many small streams (provisioned, 1 shard, no encryption), for runs long enough on the local
 * target to be interrupted part-way: `domains` domains, one account each, `streams` streams per domain.
 */
export function bigMeshYaml(o: { domains?: number; streams?: number } = {}): string {
  const domains = o.domains ?? 3;
  const streams = o.streams ?? 16;
  const accounts = Array.from({ length: domains }, (_, i) => String(i + 1).repeat(12));
  const lines = [
    'apiVersion: meshgov/v1',
    'mesh:',
    '  name: big',
    '  region: eu-west-1',
    '  organizationId: o-big1234567',
    '  governanceRole: { name: meshgov-governance, path: /meshgov/ }',
    'accounts:',
    ...accounts.flatMap((a, i) => [`  - { id: "${a}", alias: acct-${i}, environment: dev }`]),
    'classifications:',
    '  - { name: public, level: 0, retention: { minHours: 24, maxHours: 168 }, encryption: none }',
    'domains:',
  ];
  accounts.forEach((a, i) => {
    lines.push(
      `  - name: d${i}`,
      `    description: Domain ${i}.`,
      `    owner: { team: t${i}, contact: t${i}@example.com }`,
    );
    lines.push(`    accounts: ["${a}"]`, '    streams:');
    for (let j = 0; j < streams; j++) {
      lines.push(
        `      - name: d${i}.s${String(j).padStart(2, '0')}.v1`,
        '        classification: public',
        '        retentionHours: 24',
        '        capacity: { mode: provisioned, shards: 1 }',
        '        encryption: { type: NONE }',
        `        schema: https://schemas.example.com/d${i}/s${j}.json`,
        '        throughput: { writeMiBPerSecond: 0.1, writeRecordsPerSecond: 10 }',
      );
    }
  });
  return `${lines.join('\n')}\n`;
}
