import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PUBLISHED_SCHEMAS, schemaText } from '../../src/core/model/schema.js';

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

function compile(file: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  return ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object);
}

const yaml = (file: string): unknown => parse(readFileSync(file, 'utf8'), { version: '1.2' });

describe('published schema files', () => {
  it.each(Object.entries(PUBLISHED_SCHEMAS))(
    'schema/%s matches src/core/model/schema.ts (run `npx tsx scripts/generate-schema.ts`)',
    (name, schema) => {
      expect(readFileSync(`schema/${name}`, 'utf8')).toBe(schemaText(schema));
    },
  );

  it('are draft 2020-12 with distinct ids', () => {
    const mesh = JSON.parse(readFileSync('schema/mesh.schema.json', 'utf8')) as Record<string, unknown>;
    const domain = JSON.parse(readFileSync('schema/domain.schema.json', 'utf8')) as Record<string, unknown>;
    expect(mesh['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(domain['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(mesh['$id']).not.toBe(domain['$id']);
  });

  it('mesh.yaml points editors at the published schema', () => {
    expect(readFileSync('mesh.yaml', 'utf8').split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./schema/mesh.schema.json',
    );
  });

  it('work standalone: accept the example and split meshes, reject an injected role', () => {
    const mesh = compile('schema/mesh.schema.json');
    const domain = compile('schema/domain.schema.json');
    expect(mesh(yaml('mesh.yaml')), JSON.stringify(mesh.errors)).toBe(true);
    expect(mesh(yaml('test/fixtures/valid/split/mesh.yaml'))).toBe(true);
    expect(domain(yaml('test/fixtures/valid/split/domains/payments.yaml'))).toBe(true);
    expect(domain(yaml('test/fixtures/valid/split/domains/risk.yaml'))).toBe(true);
    expect(mesh(yaml('test/fixtures/malformed/inject-role-arn.yaml'))).toBe(false);
    expect(mesh.errors?.map((e) => [e.instancePath, e.keyword])).toContainEqual([
      '/domains/0/grants/1/principal/role',
      'pattern',
    ]);
  });
});
