import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { didYouMeanSuffix } from '../did-you-mean.js';
import type { CheckContext } from './context.js';

/** Every reference resolves: domain -> account, stream -> domain account and classification, grant -> stream and principal. */
export function checkReferences(ctx: CheckContext): Diagnostic[] {
  const { mesh, locator } = ctx;
  const out: Diagnostic[] = [];
  const accounts = new Set(mesh.accounts.map((a) => a.id));
  const classifications = new Set(mesh.classifications.map((c) => c.name));
  const streams = new Map(mesh.streams.map((s) => [s.name, s]));
  const domainsByName = new Map(mesh.domains.map((d) => [d.name, d]));

  for (const d of mesh.domains) {
    d.accounts.forEach((a, i) => {
      if (!accounts.has(a)) {
        out.push(
          locator.at(
            d.at,
            ['accounts', i],
            'ref-unknown-account',
            'error',
            `Domain \`${d.name}\` lists account ${a}, which is not declared under \`accounts\`. Declare it there or fix the id.${didYouMeanSuffix(a, accounts)}`,
          ),
        );
      }
    });
  }
  for (const s of mesh.streams) {
    const domain = domainsByName.get(s.domain);
    if (domain && !domain.accounts.includes(s.account)) {
      out.push(
        locator.at(
          s.at,
          ['account'],
          'ref-stream-account',
          'error',
          `Stream \`${s.name}\` is in account ${s.account}, which is not one of domain \`${s.domain}\`'s accounts (${domain.accounts.join(', ')}). Set \`account\` to one of them or add it to the domain.`,
        ),
      );
    }
    if (!classifications.has(s.classification)) {
      out.push(
        locator.at(
          s.at,
          ['classification'],
          'ref-unknown-classification',
          'error',
          `Stream \`${s.name}\` has classification \`${s.classification}\`, which is not declared.${didYouMeanSuffix(s.classification, classifications)} Declared: ${[...classifications].join(', ')}.`,
        ),
      );
    }
  }
  for (const g of mesh.grants) {
    if (!streams.has(g.stream)) {
      out.push(
        locator.at(
          g.at,
          ['stream'],
          'ref-unknown-stream',
          'error',
          `Grant \`${g.id}\` names stream \`${g.stream}\`, which no domain declares.${didYouMeanSuffix(g.stream, streams.keys())}`,
        ),
      );
    }
    const inMesh = accounts.has(g.principal.account);
    if (!inMesh && !g.principal.external) {
      out.push(
        locator.at(
          g.at,
          ['principal', 'account'],
          'ref-unknown-principal-account',
          'error',
          `Grant \`${g.id}\` names account ${g.principal.account}, which is not a mesh account. Declare it under \`accounts\`, or mark the grant \`external: true\` with a justification.${didYouMeanSuffix(g.principal.account, accounts)}`,
        ),
      );
    }
    if (inMesh && g.principal.external) {
      out.push(
        locator.at(
          g.at,
          ['external'],
          'grant-external-in-mesh',
          'error',
          `Grant \`${g.id}\` is marked external, but account ${g.principal.account} is a mesh account. Remove \`external: true\`.`,
        ),
      );
    }
    if (g.principal.external && !g.justification) {
      out.push(
        locator.at(
          g.at,
          ['external'],
          'grant-external-justification',
          'error',
          `Grant \`${g.id}\` gives an external principal access; add a \`justification\`.`,
        ),
      );
    }
    if (g.principal.external && g.pattern === 'filtered') {
      out.push(
        locator.at(
          g.at,
          ['pattern'],
          'grant-external-filtered',
          'error',
          `Grant \`${g.id}\`: a filtered grant runs a Lambda event source mapping in the principal's account, which meshgov cannot manage for an external account. Use replay or efo.`,
        ),
      );
    }
  }
  // Every address of a large mesh is tens of thousands of strings: only built when there is a waiver to check.
  if (mesh.waivers.length === 0) return out;
  const waiverTargets = new Set<string>(['mesh']);
  for (const s of mesh.streams) waiverTargets.add(`stream/${s.name}`);
  for (const g of mesh.grants) {
    waiverTargets.add(`grant/${g.id}`);
    if (g.consumerName) waiverTargets.add(`consumer/${g.stream}/${g.consumerName}`);
  }
  for (const d of mesh.domains) waiverTargets.add(`domain/${d.name}`);
  for (const w of mesh.waivers) {
    if (!waiverTargets.has(w.target)) {
      out.push(
        locator.at(
          w.at,
          ['target'],
          'ref-unknown-waiver-target',
          'error',
          `Waiver for \`${w.rule}\` targets \`${w.target}\`, which does not exist. Targets are \`mesh\`, \`stream/NAME\`, \`grant/ID\`, \`domain/NAME\` or \`consumer/STREAM/NAME\`.${didYouMeanSuffix(w.target, waiverTargets)}`,
        ),
      );
    }
  }
  return out;
}
