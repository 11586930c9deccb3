/**
 * The one place audit findings meet the mesh's rule settings and waivers (docs/audit.md "Waivers and severity
 * overrides"): the same `rules:` keys and `waivers:` list that configure guardrail rules configure audit checks.
 * A setting's severity replaces the check's own (graded) severity in the governance file or in the domain of the
 * finding's stream (`off` drops the finding); an active waiver moves the finding to `waived`.
 */
import type { Mesh, Stream } from '../model/types.js';
import { SchemaCache } from '../rules/compile.js';
import { configurables, effectiveFor, resolveSettings } from '../rules/settings.js';
import { activeWaivers, waiverKey } from '../rules/waivers.js';
import { Locator } from '../source/locator.js';
import { AUDIT_CHECK_BY_ID } from './checks.js';
import type { Finding, WaivedFinding } from './findings.js';

export interface SettledFindings {
  /** Findings that count: in the summary and for `--fail-on`. */
  findings: Finding[];
  /** Findings an active waiver silences. */
  waived: WaivedFinding[];
}

/** The mesh entity a finding is about: the waiver addresses that cover it (most specific first) and its domain. */
interface Owner {
  addresses: string[];
  domain?: string;
}

// Stream names are [a-zA-Z0-9_.-] (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html),
// so a `/` ends the name.
const STREAM_RESOURCE = /^([0-9]{12})\/stream\/([^/]+)(?:\/(shard|consumer)\/(.+))?$/;
const GRANT_RESOURCE = /^mesh\/grant\/(.+)$/;

/** Declared streams by `<account>/<name>`, and the domain of each grant's stream by grant id. */
interface MeshIndex {
  streams: ReadonlyMap<string, Stream>;
  grantDomain: ReadonlyMap<string, string>;
}

function indexMesh(mesh: Mesh): MeshIndex {
  const domainByName = new Map(mesh.streams.map((s) => [s.name, s.domain]));
  const grantDomain = new Map<string, string>();
  for (const g of mesh.grants) {
    const d = domainByName.get(g.stream);
    if (d !== undefined) grantDomain.set(g.id, d);
  }
  return { streams: new Map(mesh.streams.map((s) => [`${s.account}/${s.name}`, s])), grantDomain };
}

function ownerOf(f: Finding, { streams, grantDomain }: MeshIndex): Owner {
  const s = STREAM_RESOURCE.exec(f.resource);
  if (s) {
    // A same-named stream in another account is not the declared one: its waivers and domain do not apply.
    const declared = streams.get(`${s[1]}/${s[2]}`);
    if (!declared) return { addresses: ['mesh'] };
    const stream = `stream/${declared.name}`;
    const addresses = s[3] === 'consumer' ? [`consumer/${declared.name}/${s[4]}`, stream] : [stream];
    return { addresses, domain: declared.domain };
  }
  const g = GRANT_RESOURCE.exec(f.resource);
  if (g) {
    const id = g[1] as string;
    const domain = grantDomain.get(id);
    return { addresses: [`grant/${id}`], ...(domain !== undefined ? { domain } : {}) };
  }
  // Principals and anything else outside the declared entities: only a mesh-wide waiver covers them.
  return { addresses: ['mesh'] };
}

/** Apply the mesh's severity settings and active waivers (on `today`, YYYY-MM-DD) to audit findings. */
export function settleFindings(findings: readonly Finding[], mesh: Mesh, today: string): SettledFindings {
  // Invalid settings were reported (and stop the audit) when the mesh was validated; here only the values count.
  const known = configurables([]);
  const settings = resolveSettings(mesh, known, new Locator(new Map()), new SchemaCache());
  const waivers = activeWaivers(mesh, today, (id) => AUDIT_CHECK_BY_ID.has(id));
  const index = indexMesh(mesh);
  const out: SettledFindings = { findings: [], waived: [] };
  for (const f of findings) {
    const check = AUDIT_CHECK_BY_ID.get(f.code);
    const owner = ownerOf(f, index);
    let settled = f;
    if (check) {
      const eff = effectiveFor(settings, f.code, owner.domain);
      if (eff?.severity === 'off') continue;
      // A setting equal to the default keeps the check's graded severity (e.g. hot-shard is an error at 100 %).
      if (eff !== undefined && eff.severity !== check.severity) settled = { ...f, severity: eff.severity };
    }
    const waiver = owner.addresses.map((a) => waivers.get(waiverKey(f.code, a))).find((w) => w !== undefined);
    if (waiver) {
      out.waived.push({
        ...settled,
        waivedBy: waiver.justification,
        waiver: { target: waiver.target, expires: waiver.expires },
      });
    } else out.findings.push(settled);
  }
  return out;
}
