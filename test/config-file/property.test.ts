// Property: whatever text is given as a config file — random text (YAML syntax characters
// included), arbitrary YAML documents, documents built from the real keys with arbitrary values,
// mutations of a valid config — parseConfig returns a Config or throws a ConfigError whose every
// problem has a message. Any other exception is a failure. The seed is fixed and printed;
// FC_SEED=n reruns with another.
import test from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import YAML from 'yaml'
import { parseConfig } from '../../src/config-file/load.ts'
import { ConfigError, formatProblem } from '../../src/config-file/problems.ts'
import { ExporterSchema, RELAY_KEYS } from '../../src/config-file/schema.ts'

const SEED = Number(process.env.FC_SEED ?? 20480)
console.log(`fast-check seed: ${SEED} (FC_SEED=n to change)`)

const VALID = `relay:
  listen: 127.0.0.1:20480
  max-body-bytes: 1048576
  time-zone: Asia/Shanghai
  max-records-per-request: 1000
  max-line-bytes: 65536
  max-depth: 8
  max-fields: 256
  max-string-bytes: 4096
exporters:
  - protocol: kafka
    enabled: true
    endpoints: [kafka-0:9092]
    data-sources: [flow_log.l7_flow_log, flow_metrics.network.1m]
    export-fields: [$tag, $metrics]
    queue-count: 2
    tag-filters-groups:
      - tag-filter-condition: {type: or}
        tag-filters:
          - {field-name: l7_protocol, operator: in, field-values: [20, 21]}
    sasl: {enabled: true, username: relay, password: s3cret}
  - protocol: prometheus
    enabled: true
    endpoints: [http://prom:9090/api/v1/write]
    data-sources: [flow_metrics.network.1m]
    export-fields: [$tag, $metrics]
  - protocol: stdout
    enabled: true
    data-sources: [event.file_event]
    export-fields: [$tag]
`

const EXPORTER_KEYS = Object.keys(ExporterSchema.entries)

/** Scalars and small structures a config value might be given as. */
const scalar = fc.oneof(
  fc.integer({ min: -5, max: 100_000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'kafka',
    'prometheus',
    'stdout',
    '$tag',
    '$metrics',
    'flow_log.l7_flow_log',
    'flow_metrics.network.1m',
    'in',
    '=',
    'and',
    'or',
    '0',
    '1e400',
    'UTC',
    'x:1',
    '[::1]:80',
    'gzip',
    'lz4',
  ),
)
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), scalar, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
)

const exporterArb = fc.dictionary(
  fc.oneof({ arbitrary: fc.constantFrom(...EXPORTER_KEYS), weight: 4 }, fc.string({ maxLength: 8 })),
  value,
  { maxKeys: 8 },
)
const structured = fc
  .record(
    {
      relay: fc.dictionary(fc.oneof({ arbitrary: fc.constantFrom(...RELAY_KEYS), weight: 4 }, fc.string({ maxLength: 8 })), value, {
        maxKeys: 6,
      }),
      exporters: fc.oneof(fc.array(exporterArb, { maxLength: 3 }), value),
      ingester: fc.record({ exporters: fc.array(exporterArb, { maxLength: 2 }) }, { requiredKeys: [] }),
      sources: fc.oneof(
        fc.array(
          fc.record({
            clickhouse: fc.dictionary(
              fc.constantFrom('endpoint', 'data-sources', 'cursor-file', 'since', 'batch-rows', 'settle', 'database', 'x'),
              value,
              { maxKeys: 5 },
            ),
          }),
          { maxLength: 2 },
        ),
        value,
      ),
    },
    { requiredKeys: [] },
  )
  .map((o) => YAML.stringify(o))

const yamlChars = fc.string({ unit: fc.constantFrom(...'abc-_:{}[],&*!|>?#%@`\'" \n\t-.0123456789<<~'.split('')), maxLength: 120 })

type Edit = { at: number; del: number; insert: string }
const edit = fc.record({
  at: fc.nat(),
  del: fc.nat(8),
  insert: fc.oneof(
    fc.string({ maxLength: 4 }),
    fc.constantFrom('\n', '  ', '- ', ': ', '&a ', '*a', '!!binary ', '<<: ', '{', ']', '"', '#', '\t'),
  ),
})
const mutated = fc.array(edit, { minLength: 1, maxLength: 5 }).map((edits: Edit[]) => {
  let t = VALID
  for (const e of edits) {
    const at = e.at % (t.length + 1)
    t = t.slice(0, at) + e.insert + t.slice(at + e.del)
  }
  return t
})

/** Billion laughs: 9^5 strings from 50 lines; the YAML library refuses to expand it. */
const LAUGHS = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`),
].join('\n')

const configText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  yamlChars,
  fc.object().map((o) => YAML.stringify(o)),
  fc.jsonValue().map((v) => YAML.stringify(v)),
  { arbitrary: structured, weight: 3 },
  { arbitrary: mutated, weight: 3 },
  fc.constantFrom(
    '*a',
    'relay:\n  <<: *x\n',
    LAUGHS,
    'a: &a [*a, *a]\n',
    'x: &x\n  y: *x\n',
    'relay: !!binary aGVsbG8=\n',
    'relay: !!set {a, b}\n',
    'relay:\n  <<: {max-depth: 3}\n',
    'exporters: !!omap [a: 1]\n',
    'relay: {listen: !!timestamp 2024-05-08}\n',
  ),
)

/** valibot's own wording ("Invalid type: Expected string but received 5") never reaches a user. */
const LIBRARY_TEXT = /Invalid (type|key|value|length|format|entry)|but received|Expected [A-Z]/

test('parseConfig returns a Config or throws a ConfigError whose every problem has a message of ours', () => {
  let configs = 0
  let errors = 0
  fc.assert(
    fc.property(configText, (text) => {
      let config
      try {
        config = parseConfig(text, 'x.yaml')
      } catch (err) {
        if (!(err instanceof ConfigError)) {
          assert.fail(
            `not a ConfigError for ${JSON.stringify(text)}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
          )
        }
        assert.ok(err.problems.length > 0, 'a ConfigError with no problem')
        for (const p of err.problems) {
          assert.equal(typeof p.message, 'string')
          assert.ok(p.message.trim().length > 0, `empty message at ${formatProblem(p)}`)
          assert.doesNotMatch(p.message, LIBRARY_TEXT, formatProblem(p))
          assert.ok(formatProblem(p).length > 0)
        }
        errors++
        return
      }
      assert.ok(Array.isArray(config.exporters))
      for (const w of config.warnings) assert.doesNotMatch(w, LIBRARY_TEXT)
      assert.ok(config.relay.limits.maxLineBytes > 0)
      configs++
    }),
    { seed: SEED, numRuns: 300 },
  )
  console.log(`configs: ${configs}, config errors: ${errors}`)
  assert.ok(configs > 0 && errors > 0)
})

test('the valid config the mutations start from is valid', () => {
  const config = parseConfig(VALID, 'x.yaml')
  assert.equal(config.exporters.length, 3)
  assert.deepEqual(config.relay.limits, {
    maxRecordsPerRequest: 1000,
    maxLineBytes: 65536,
    maxDepth: 8,
    maxFields: 256,
    maxStringBytes: 4096,
  })
})

test('YAML alias errors (unresolved alias, alias bombs) are ConfigErrors too', () => {
  for (const text of ['*a', 'relay: *a\n', 'relay:\n  <<: *x\n', LAUGHS]) {
    assert.throws(() => parseConfig(text, 'x.yaml'), (err: unknown) => {
      assert.ok(err instanceof ConfigError, `${JSON.stringify(text)}: ${String(err)}`)
      assert.ok(err.problems.every((p) => p.message.trim() !== ''))
      return true
    })
  }
})
