/**
 * The JSON Schema (draft 2020-12) of mesh.yaml and of per-domain include files. Published by `meshgov schema`
 * and as schema/*.schema.json so editors autocomplete mesh files through the yaml-language-server modeline.
 *
 * Identifiers that end up inside IAM policies or ARNs are pattern-restricted here so that no `*`, `?`, `:`, `/`,
 * whitespace or ARN fragment can reach a rendered policy through a name.
 *
 * After a change, run `npx tsx scripts/generate-schema.ts` (the published files) and
 * `npx tsx scripts/generate-schema-validators.ts` (the precompiled validators validate runs).
 */

export const SCHEMA_ID = 'https://meshgov.dev/schema/v1/mesh.schema.json';
export const DOMAIN_SCHEMA_ID = 'https://meshgov.dev/schema/v1/domain.schema.json';

export const NAME = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';
export const ACCOUNT_ID = '^[0-9]{12}$';
/** IAM role name characters, https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html */
export const ROLE_NAME = '^[A-Za-z0-9+=,.@_-]{1,64}$';
export const IAM_PATH = '^/([A-Za-z0-9+=,.@_-]+/)*$';
/** Kinesis stream and consumer names, https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html */
export const STREAM_NAME = '^[a-zA-Z0-9_.-]{1,128}$';
export const DATE = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
/**
 * Tag keys and values: the characters Kinesis allows (letters, digits and _ . : / = + - @), minus whitespace in
 * keys and at either end of values. Tag keys become `aws:ResourceTag/<key>` condition keys in ABAC policies, so
 * no whitespace, `*`, `?`, `$` or braces may reach them. https://docs.aws.amazon.com/streams/latest/dev/tagging.html
 */
export const TAG_KEY = '^[\\p{L}\\p{N}_.:/=+\\-@]{1,128}$';
export const TAG_VALUE = '^([\\p{L}\\p{N}_.:/=+\\-@]([\\p{L}\\p{N} _.:/=+\\-@]{0,254}[\\p{L}\\p{N}_.:/=+\\-@])?)?$';
/** Free-form references (schema ARN or URL, fan-out endpoint): no whitespace, wildcards, policy variables or braces. */
export const REFERENCE = '^[^\\s*?${}]+$';

const tags = {
  type: 'object',
  description: 'Tags (key: value). Keys starting with `meshgov:` or `aws:` are reserved.',
  propertyNames: { pattern: TAG_KEY },
  additionalProperties: { type: 'string', pattern: TAG_VALUE },
};

const ruleSettings = {
  type: 'object',
  description: 'Guardrail rule settings by rule id.',
  propertyNames: { pattern: '^[a-z0-9][a-z0-9-]*$' },
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      severity: { enum: ['error', 'warning', 'info', 'off'], description: 'Override the rule severity.' },
      params: { type: 'object', description: 'Rule parameters (see `meshgov rules explain ID`).' },
    },
  },
};

export const defs = {
  principal: {
    type: 'object',
    description: 'An IAM principal: a role in an account, or a whole account when `role` is omitted.',
    additionalProperties: false,
    required: ['account'],
    properties: {
      account: { type: 'string', pattern: ACCOUNT_ID, description: '12-digit AWS account id (quote it).' },
      role: { type: 'string', pattern: ROLE_NAME, description: 'IAM role name (not an ARN).' },
      path: { type: 'string', pattern: IAM_PATH, maxLength: 512, description: 'IAM role path, default `/`.' },
    },
  },
  stream: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'classification', 'retentionHours', 'capacity'],
    properties: {
      name: { type: 'string', pattern: STREAM_NAME, description: 'Kinesis stream name.' },
      account: {
        type: 'string',
        pattern: ACCOUNT_ID,
        description: 'Account of the stream; defaults to the domain account when it has one.',
      },
      description: { type: 'string', maxLength: 1024 },
      classification: {
        type: 'string',
        pattern: NAME,
        description: 'A classification declared under `classifications`.',
      },
      retentionHours: {
        type: 'integer',
        minimum: 24,
        maximum: 8760,
        description: 'Retention period in hours (24..8760).',
      },
      capacity: {
        type: 'object',
        additionalProperties: false,
        required: ['mode'],
        properties: {
          mode: { enum: ['on-demand', 'provisioned'] },
          shards: { type: 'integer', minimum: 1, maximum: 10000, description: 'Shard count (provisioned only).' },
          autoscaling: {
            type: 'object',
            additionalProperties: false,
            required: ['min', 'max'],
            properties: {
              min: { type: 'integer', minimum: 1, maximum: 10000 },
              max: { type: 'integer', minimum: 1, maximum: 10000 },
            },
          },
        },
        if: { properties: { mode: { const: 'provisioned' } } },
        then: { required: ['shards'] },
        else: { properties: { shards: false, autoscaling: false } },
      },
      encryption: {
        type: 'object',
        additionalProperties: false,
        required: ['type'],
        properties: {
          type: { enum: ['KMS', 'NONE'] },
          keyId: {
            type: 'string',
            pattern:
              '^(alias/[A-Za-z0-9/_-]{1,250}|[0-9a-f-]{36}|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[0-9a-f-]{36}|alias/[A-Za-z0-9/_-]{1,250}))$',
            description: 'KMS key id, alias (`alias/...`) or ARN. Default `alias/aws/kinesis`.',
          },
        },
        if: { properties: { type: { const: 'NONE' } } },
        then: { properties: { keyId: false } },
      },
      schema: {
        type: 'string',
        minLength: 1,
        maxLength: 2048,
        pattern: REFERENCE,
        description: 'Schema reference (Glue Schema Registry ARN or URL).',
      },
      contact: { type: 'string', minLength: 3, maxLength: 256 },
      sla: {
        type: 'object',
        additionalProperties: false,
        properties: {
          freshnessSeconds: { type: 'integer', minimum: 0 },
          availability: { type: 'string', maxLength: 32 },
        },
      },
      throughput: {
        type: 'object',
        additionalProperties: false,
        description: 'Expected write throughput.',
        properties: {
          writeMiBPerSecond: { type: 'number', minimum: 0 },
          writeRecordsPerSecond: { type: 'number', minimum: 0 },
        },
      },
      enhancedMonitoring: {
        type: 'array',
        uniqueItems: true,
        items: {
          enum: [
            'ALL',
            'IncomingBytes',
            'IncomingRecords',
            'OutgoingBytes',
            'OutgoingRecords',
            'WriteProvisionedThroughputExceeded',
            'ReadProvisionedThroughputExceeded',
            'IteratorAgeMilliseconds',
          ],
        },
      },
      deletionProtection: {
        type: 'boolean',
        description: 'When true, meshgov never deletes the stream (default true).',
      },
      deprecated: { type: 'boolean' },
      tags,
    },
  },
  grant: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'stream', 'principal', 'access'],
    properties: {
      id: { type: 'string', pattern: NAME, description: 'Stable grant id (lowercase, digits, dashes).' },
      stream: { type: 'string', pattern: STREAM_NAME },
      principal: { $ref: '#/$defs/principal' },
      access: { enum: ['produce', 'consume'] },
      pattern: { enum: ['replay', 'efo', 'filtered', 'fanout'], description: 'Access pattern of a consumer.' },
      consumer: {
        type: 'string',
        pattern: STREAM_NAME,
        description:
          'Enhanced fan-out consumer name: required with pattern efo; optional with pattern filtered, whose Lambda ' +
          'event source mapping then reads through this consumer.',
      },
      consumerTags: {
        ...tags,
        description:
          "Tags of the enhanced fan-out consumer (pattern efo, or filtered with `consumer`), e.g. its team's cost " +
          'tags; the mesh tags ' +
          'and the governance tags are added. Keys starting with `meshgov:` or `aws:` are reserved.',
      },
      filter: {
        type: 'object',
        additionalProperties: false,
        required: ['function', 'patterns'],
        properties: {
          function: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Lambda function name.' },
          patterns: {
            type: 'array',
            minItems: 1,
            items: { type: 'object' },
            description: 'Lambda filter patterns on the `data` key (ORed).',
          },
          maxFilters: {
            enum: [5, 10],
            description: 'Filters per event source mapping: 5, or 10 with a quota increase.',
          },
          batchSize: { type: 'integer', minimum: 1, maximum: 10000 },
          startingPosition: { enum: ['LATEST', 'TRIM_HORIZON'] },
          manageMapping: {
            type: 'boolean',
            description:
              "Let meshgov create this grant's Lambda event source mapping and update its filter criteria " +
              '(default false: the function belongs to the consuming team, so meshgov only reads the mapping ' +
              'and reports drift).',
          },
        },
      },
      fanout: {
        type: 'object',
        additionalProperties: false,
        required: ['target'],
        properties: {
          target: { enum: ['appsync', 'apigateway-websocket', 'custom-websocket'] },
          endpoint: { type: 'string', maxLength: 2048, pattern: REFERENCE },
        },
      },
      replayHours: {
        type: 'integer',
        minimum: 1,
        maximum: 8760,
        description: 'Retention the consumer needs to replay.',
      },
      kcl: {
        type: 'object',
        additionalProperties: false,
        required: ['leaseTable'],
        properties: {
          leaseTable: { type: 'string', pattern: '^[A-Za-z0-9_.-]{3,255}$' },
          metrics: { type: 'boolean' },
        },
      },
      expires: {
        type: 'string',
        pattern: DATE,
        format: 'date',
        description: 'YYYY-MM-DD; the grant lapses after this day.',
      },
      justification: { type: 'string', minLength: 1, maxLength: 1024 },
      approvedBy: { type: 'string', minLength: 1, maxLength: 256 },
      external: {
        type: 'boolean',
        description: 'The principal is outside the mesh accounts (requires a justification).',
      },
      region: {
        type: 'string',
        pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$',
        description: 'Region the principal runs in; must equal the mesh region (Kinesis has no cross-region access).',
      },
    },
    allOf: [
      {
        if: { properties: { access: { const: 'produce' } }, required: ['access'] },
        then: {
          properties: { pattern: false, consumer: false, filter: false, fanout: false, replayHours: false, kcl: false },
        },
      },
      { if: { properties: { access: { const: 'consume' } }, required: ['access'] }, then: { required: ['pattern'] } },
      {
        if: { properties: { pattern: { const: 'efo' } }, required: ['pattern'] },
        then: { required: ['consumer'] },
      },
      {
        // A filtered grant may read through an EFO consumer; every other non-efo grant has none.
        if: {
          not: { properties: { pattern: { enum: ['efo', 'filtered'] } }, required: ['pattern'] },
        },
        then: { properties: { consumer: false, consumerTags: false } },
      },
      {
        // Consumer tags need a consumer to tag.
        if: {
          properties: { pattern: { const: 'filtered' } },
          required: ['pattern'],
          not: { required: ['consumer'] },
        },
        then: { properties: { consumerTags: false } },
      },
      {
        if: { properties: { pattern: { const: 'filtered' } }, required: ['pattern'] },
        then: { required: ['filter'] },
        else: { properties: { filter: false } },
      },
      {
        if: { properties: { pattern: { const: 'fanout' } }, required: ['pattern'] },
        then: { required: ['fanout'] },
        else: { properties: { fanout: false } },
      },
    ],
  },
  domain: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'owner', 'accounts'],
    properties: {
      name: { type: 'string', pattern: NAME },
      description: { type: 'string', maxLength: 1024 },
      owner: {
        type: 'object',
        additionalProperties: false,
        required: ['team', 'contact'],
        properties: {
          team: { type: 'string', minLength: 1, maxLength: 128 },
          contact: { type: 'string', minLength: 3, maxLength: 256 },
        },
      },
      accounts: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: ACCOUNT_ID } },
      streams: { type: 'array', items: { $ref: '#/$defs/stream' } },
      grants: { type: 'array', items: { $ref: '#/$defs/grant' } },
      rules: ruleSettings,
    },
  },
  waiver: {
    type: 'object',
    additionalProperties: false,
    required: ['rule', 'target', 'justification', 'expires'],
    properties: {
      rule: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
      target: {
        type: 'string',
        pattern: '^(mesh|(stream|grant|domain)/[A-Za-z0-9_.-]+|consumer/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)$',
        description: '`stream/NAME`, `grant/ID`, `domain/NAME`, `consumer/STREAM/NAME` or `mesh`.',
      },
      justification: { type: 'string', minLength: 10, maxLength: 1024 },
      expires: { type: 'string', pattern: DATE, format: 'date' },
      approvedBy: { type: 'string', minLength: 1, maxLength: 256 },
    },
  },
} as const;

export const meshSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: SCHEMA_ID,
  title: 'meshgov mesh file',
  description: 'A streaming data mesh on Amazon Kinesis Data Streams, governed by meshgov.',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'mesh', 'accounts', 'classifications'],
  properties: {
    $schema: { type: 'string' },
    apiVersion: { const: 'meshgov/v1', description: 'File format version.' },
    mesh: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'region', 'governanceRole'],
      properties: {
        name: { type: 'string', pattern: NAME },
        region: {
          type: 'string',
          pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$',
          description: 'AWS region, e.g. eu-west-1.',
        },
        organizationId: { type: 'string', pattern: '^o-[a-z0-9]{10,32}$' },
        governanceRole: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', pattern: ROLE_NAME },
            path: { type: 'string', pattern: IAM_PATH, maxLength: 512 },
            externalId: { type: 'string', pattern: '^[\\w+=,.@:/-]{2,1224}$' },
            readOnlyName: {
              type: 'string',
              pattern: ROLE_NAME,
              description:
                'Role (same path) that read-only commands (plan, audit, import) assume instead of the governance role, so CI that only plans never holds write rights.',
            },
          },
        },
        tags,
      },
    },
    include: {
      type: 'array',
      items: { type: 'string', pattern: '^[^\\0]+\\.ya?ml$' },
      description: 'Per-domain files (relative to this file).',
    },
    accounts: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'alias', 'environment'],
        properties: {
          id: { type: 'string', pattern: ACCOUNT_ID, description: '12-digit AWS account id (quote it).' },
          alias: { type: 'string', pattern: NAME },
          environment: { enum: ['prod', 'staging', 'dev', 'test', 'sandbox'] },
        },
      },
    },
    classifications: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'level', 'retention', 'encryption'],
        properties: {
          name: { type: 'string', pattern: NAME },
          description: { type: 'string', maxLength: 1024 },
          level: { type: 'integer', minimum: 0, maximum: 100, description: 'Sensitivity rank, 0 = public.' },
          retention: {
            type: 'object',
            additionalProperties: false,
            required: ['minHours', 'maxHours'],
            properties: {
              minHours: { type: 'integer', minimum: 24, maximum: 8760 },
              maxHours: { type: 'integer', minimum: 24, maximum: 8760 },
            },
          },
          encryption: {
            enum: ['none', 'aws-managed', 'customer-managed'],
            description: 'Minimum encryption required.',
          },
        },
      },
    },
    domains: { type: 'array', items: { $ref: '#/$defs/domain' } },
    grants: { type: 'array', items: { $ref: '#/$defs/grant' } },
    waivers: { type: 'array', items: { $ref: '#/$defs/waiver' } },
    rules: ruleSettings,
  },
  $defs: defs,
} as const;

export const domainFileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: DOMAIN_SCHEMA_ID,
  title: 'meshgov domain file',
  description: 'A per-domain file included from mesh.yaml: domains and their grants.',
  type: 'object',
  additionalProperties: false,
  required: ['domains'],
  properties: {
    $schema: { type: 'string' },
    apiVersion: { const: 'meshgov/v1' },
    domains: { type: 'array', minItems: 1, items: { $ref: '#/$defs/domain' } },
    grants: { type: 'array', items: { $ref: '#/$defs/grant' } },
  },
  $defs: defs,
} as const;

/** The published files under schema/ (for editors through the yaml-language-server modeline), by file name. */
export const PUBLISHED_SCHEMAS = {
  'mesh.schema.json': meshSchema,
  'domain.schema.json': domainFileSchema,
} as const;

/** The exact text of a published schema file: what `meshgov schema` prints and schema/*.schema.json holds. */
export function schemaText(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
