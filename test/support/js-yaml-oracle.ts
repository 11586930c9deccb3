/** js-yaml (core schema) as the oracle the plain YAML reader is checked against: what it reads, or that it threw. */
import jsYaml from 'js-yaml';

export type Oracle = { threw: true } | { threw: false; data: unknown };

export function jsYamlLoad(text: string): Oracle {
  try {
    return { threw: false, data: jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA }) };
  } catch {
    return { threw: true };
  }
}
