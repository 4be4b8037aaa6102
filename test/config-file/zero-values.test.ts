// Every key of DeepFlow's ExporterCfg, TagFiltersGroup, TagFilter and Sasl given with no value
// (`key:`), as `~`, and as its Go zero value ("", 0, false, [], {}): yaml.v2 reads all three as
// the zero value and Validate() fills its defaults, so the three give one effective configuration
// (`check` output): the one deepflow-server would run. The relay then starts with it and takes a
// record (202). The only refusal among them is an empty export-fields (DeepFlow's default list
// exports metrics only, Q4).
import test from 'node:test'
import assert from 'node:assert/strict'
import YAML from 'yaml'
import { renderEffectiveConfig } from '../../src/cli/effective-config.ts'
import { parseConfig } from '../../src/config-file/load.ts'
import { ConfigError, formatProblem } from '../../src/config-file/problems.ts'
import { topicOf } from '../../src/exporters/kafka/kafka-sink.ts'
import { createRealClock } from '../helpers/manual-clock.ts'
import { startHarness } from '../helpers/relay-harness.ts'

const L7 = 'flow_log.l7_flow_log'
const RECORD = JSON.stringify({ time: 1715133600, end_time: 1715133600000000, l7_protocol: 20, response_code: 200 })
const FILTER = '{field-name: l7_protocol, operator: "=", field-values: [20]}'

/** A DeepFlow server.yaml with one exporter: `lines` replace or add keys of the entry. */
function serverYaml(lines: Record<string, string>, protocol = 'kafka'): string {
  const entry: Record<string, string> = {
    protocol,
    enabled: 'true',
    endpoints: protocol === 'kafka' ? '[127.0.0.1:1]' : '[http://127.0.0.1:1/api/v1/write]',
    'data-sources': protocol === 'kafka' ? `[${L7}]` : '[flow_metrics.network.1m]',
    'export-fields': '[$tag, $metrics]',
    ...lines,
  }
  const body = Object.entries(entry).map(([k, v], i) => `${i === 0 ? '    - ' : '      '}${k}:${v === '' ? '' : ` ${v}`}`).join('\n')
  return `relay:\n  shutdown-timeout: 0\ningester:\n  exporters:\n${body}\n`
}

type Exporter = Record<string, unknown>

/** [key, its zero value in YAML, the entry lines with VALUE where the form goes, protocol, what the effective config shows] */
interface Row {
  readonly key: string
  readonly zero: string
  readonly lines: (value: string) => Record<string, string>
  readonly protocol?: string
  /** The effective exporter (check output), or null when the exporter is skipped (then `skipped` says why). */
  readonly expect: ((e: Exporter) => void) | null
  readonly skipped?: string
  readonly warnings?: readonly string[]
  /** The refusal, when the relay refuses it. */
  readonly problem?: string
}

const at = (key: string) => (value: string) => ({ [key]: value })
const field = (key: string, expected: unknown) => (e: Exporter) => assert.deepEqual(e[key], expected, key)
const group = (entries: string) => ({ 'tag-filters-groups': `[{${entries}}]` })
const filter = (entries: string) => group(`tag-filters: [{${entries}}]`)
const sasl = (entries: string) => ({ sasl: `{${entries}}` })
const onlyFilter = (f: Record<string, unknown>) =>
  field('tag-filters-groups', [{ 'tag-filter-condition': { type: 'and' }, 'tag-filters': [f] }])
const saslIs = (expected: unknown) => field('sasl', expected)
const SASL_ON = { enabled: true, 'security-protocol': 'SASL_SSL', 'sasl-mechanism': 'PLAIN', username: 'u', password: '******' }

const ROWS: Row[] = [
  // ExporterCfg
  { key: 'protocol', zero: '""', lines: at('protocol'), expect: null, skipped: 'no protocol; exporter skipped, as DeepFlow does' },
  {
    key: 'enabled',
    zero: 'false',
    lines: at('enabled'),
    expect: null,
    skipped: '`enabled` is not true; exporter skipped, as DeepFlow does (set `enabled: true`)',
  },
  {
    key: 'data-sources',
    zero: '[]',
    lines: at('data-sources'),
    expect: null,
    skipped: 'no data sources; exporter skipped (DeepFlow runs it idle)',
  },
  {
    key: 'endpoints',
    zero: '[]',
    lines: at('endpoints'),
    expect: null,
    skipped: 'no usable endpoint; exporter skipped (DeepFlow drops every batch)',
  },
  { key: 'queue-count', zero: '0', lines: at('queue-count'), expect: field('queue-count', 4) },
  { key: 'queue-size', zero: '0', lines: at('queue-size'), expect: field('queue-size', 100000) },
  { key: 'batch-size', zero: '0', lines: at('batch-size'), expect: field('batch-size', 1024) },
  { key: 'flush-timeout', zero: '0', lines: at('flush-timeout'), expect: field('flush-timeout', 1) },
  { key: 'export-empty-tag', zero: 'false', lines: at('export-empty-tag'), expect: field('export-empty-tag', false) },
  {
    key: 'export-empty-metrics-disabled',
    zero: 'false',
    lines: at('export-empty-metrics-disabled'),
    expect: field('export-empty-metrics-disabled', false),
  },
  {
    key: 'enum-translate-to-name-disabled',
    zero: 'false',
    lines: at('enum-translate-to-name-disabled'),
    expect: field('enum-translate-to-name-disabled', false),
  },
  {
    key: 'universal-tag-translate-to-name-disabled',
    zero: 'false',
    lines: at('universal-tag-translate-to-name-disabled'),
    expect: field('universal-tag-translate-to-name-disabled', false),
  },
  { key: 'tag-filter-condition', zero: '{}', lines: at('tag-filter-condition'), expect: field('tag-filter-condition', { type: 'and' }) },
  { key: 'tag-filters', zero: '[]', lines: at('tag-filters'), expect: field('tag-filters', []) },
  { key: 'tag-filters-groups', zero: '[]', lines: at('tag-filters-groups'), expect: field('tag-filters-groups', []) },
  {
    key: 'export-fields',
    zero: '[]',
    lines: at('export-fields'),
    expect: null,
    problem:
      "ingester.exporters[0].export-fields: missing or empty; list what to export, e.g. export-fields: [$tag, $metrics] (DeepFlow's default list exports metrics only, Q4) (line 9)",
  },
  { key: 'extra-headers', zero: '{}', lines: at('extra-headers'), protocol: 'prometheus', expect: field('extra-headers', {}) },
  { key: 'sasl', zero: '{}', lines: at('sasl'), expect: (e) => assert.equal('sasl' in e, false) },
  { key: 'topic', zero: '""', lines: at('topic'), expect: (e) => assert.equal('topic' in e, false) },
  // TagFiltersGroup
  {
    key: 'tag-filters-groups[0].tag-filter-condition',
    zero: '{}',
    lines: (v) => group(`tag-filter-condition: ${v}, tag-filters: [${FILTER}]`),
    expect: field('tag-filters-groups', [{
      'tag-filter-condition': { type: 'and' },
      'tag-filters': [{ 'field-name': 'l7_protocol', operator: '=', 'field-values': ['20'] }],
    }]),
  },
  {
    key: 'tag-filters-groups[0].tag-filter-condition.type',
    zero: '""',
    lines: (v) => group(`tag-filter-condition: {type: ${v}}, tag-filters: [${FILTER}]`),
    expect: field('tag-filters-groups', [{
      'tag-filter-condition': { type: 'and' },
      'tag-filters': [{ 'field-name': 'l7_protocol', operator: '=', 'field-values': ['20'] }],
    }]),
  },
  {
    key: 'tag-filters-groups[0].tag-filters',
    zero: '[]',
    lines: (v) => group(`tag-filter-condition: {type: or}, tag-filters: ${v}`),
    expect: field('tag-filters-groups', [{ 'tag-filter-condition': { type: 'or' }, 'tag-filters': [] }]),
  },
  // TagFilter
  {
    key: 'tag-filters-groups[0].tag-filters[0].field-name',
    zero: '""',
    lines: (v) => filter(`field-name: ${v}, operator: "=", field-values: [20]`),
    expect: onlyFilter({ 'field-name': '', operator: '=', 'field-values': ['20'] }),
    warnings: [
      `ingester.exporters[0].tag-filters-groups[0].tag-filters[0].field-name: no field "" in ${L7}; this filter does not apply, as in DeepFlow (line 10)`,
    ],
  },
  {
    key: 'tag-filters-groups[0].tag-filters[0].operator',
    zero: '""',
    lines: (v) => filter(`field-name: l7_protocol, operator: ${v}, field-values: [20]`),
    expect: onlyFilter({ 'field-name': 'l7_protocol', operator: '', 'field-values': ['20'] }),
    warnings: [
      'ingester.exporters[0].tag-filters-groups[0].tag-filters[0].operator: no operator; this filter matches every record, as in DeepFlow (line 10)',
    ],
  },
  {
    key: 'tag-filters-groups[0].tag-filters[0].field-values',
    zero: '[]',
    lines: (v) => filter(`field-name: l7_protocol, operator: "!=", field-values: ${v}`),
    expect: onlyFilter({ 'field-name': 'l7_protocol', operator: '!=', 'field-values': [] }),
  },
  // Sasl
  {
    key: 'sasl.enabled',
    zero: 'false',
    lines: (v) => sasl(`enabled: ${v}, username: u, password: p`),
    expect: (e) => assert.equal('sasl' in e, false),
  },
  {
    key: 'sasl.security-protocol',
    zero: '""',
    lines: (v) => sasl(`enabled: true, security-protocol: ${v}, username: u, password: p`),
    expect: saslIs(SASL_ON),
  },
  {
    key: 'sasl.sasl-mechanism',
    zero: '""',
    lines: (v) => sasl(`enabled: true, sasl-mechanism: ${v}, username: u, password: p`),
    expect: saslIs(SASL_ON),
  },
  {
    key: 'sasl.username',
    zero: '""',
    lines: (v) => sasl(`enabled: true, username: ${v}, password: p`),
    expect: saslIs({ ...SASL_ON, username: '' }),
  },
  {
    key: 'sasl.password',
    zero: '""',
    lines: (v) => sasl(`enabled: true, username: u, password: ${v}`),
    expect: saslIs({ ...SASL_ON, password: '' }),
  },
]

/** `key:` (nothing after the colon, also inside flow mappings: `{type: }`), `key: ~`, and the zero value. */
const FORMS = (row: Row) => [['no value', ''], ['~', '~'], ['the zero value', row.zero]] as const

for (const row of ROWS) {
  test(`${row.key}: no value, ~ and ${row.zero} give the config deepflow-server runs${row.problem ? ' (refused: Q4)' : ''}`, async () => {
    const checks: string[] = []
    for (const [form, value] of FORMS(row)) {
      const yaml = serverYaml(row.lines(value), row.protocol)
      if (row.problem !== undefined) {
        assert.throws(() => parseConfig(yaml, 'server.yaml'), (err: unknown) => {
          assert.ok(err instanceof ConfigError)
          assert.deepEqual(err.problems.map(formatProblem), [row.problem])
          return true
        }, form)
        continue
      }
      const config = parseConfig(yaml, 'server.yaml')
      if (row.skipped === undefined) assert.deepEqual(config.warnings, row.warnings ?? [], form)
      else {assert.deepEqual(
          config.warnings.map((w) => w.includes(`: ${row.skipped} (line `)),
          [true],
          `${form}: ${config.warnings.join('; ')}`,
        )}
      const doc = YAML.parse(renderEffectiveConfig(config)) as { exporters: Exporter[]; skipped?: { reason: string }[] }
      if (row.expect === null) {
        assert.deepEqual(doc.exporters, [], form)
        assert.deepEqual(doc.skipped?.map((s) => s.reason), [row.skipped], form)
      } else {
        assert.equal(doc.exporters.length, 1, form)
        row.expect(doc.exporters[0]!)
        if (row.key === 'topic') assert.equal(topicOf(config.exporters[0]!, L7), `deepflow.${L7}`)
      }
      checks.push(renderEffectiveConfig(config))

      const h = await startHarness(yaml, { clock: createRealClock() })
      const ds = row.protocol === 'prometheus' ? 'flow_metrics.network.1m' : L7
      const res = await h.post(ds, row.protocol === 'prometheus' ? JSON.stringify({ time: 1715133600, byte_tx: 1 }) : RECORD)
      assert.equal(res.status, 202, `${form}: ${await res.text()}`)
      await h.relay.stop()
    }
    if (checks.length > 0) assert.deepEqual(new Set(checks).size, 1, 'the three forms give one effective config')
  })
}
