// parseConfig errors: ConfigError lists every problem with its YAML path, an exact message and the
// line; formatProblem renders `path: message (line N)`.
import test from 'node:test'
import assert from 'node:assert/strict'
import { type Overrides, parseConfig } from '../../src/config-file/load.ts'
import { ConfigError, type ConfigPath, formatProblem } from '../../src/config-file/problems.ts'
import { exportersYaml, formatted, kafka, kafkaEntry, problemsOf, STDOUT } from './helpers.ts'

const ALL_SOURCES =
  'flow_log.l7_flow_log, flow_log.l4_flow_log, flow_metrics.network.1m, flow_metrics.network.1s, flow_metrics.network_map.1m, flow_metrics.network_map.1s, flow_metrics.application.1m, flow_metrics.application.1s, flow_metrics.application_map.1m, flow_metrics.application_map.1s, event.file_event, event.perf_event'
const EXPORTER_KEYS =
  'protocol, enabled, name, endpoints, data-sources, queue-count, queue-size, queue-max-bytes, batch-size, flush-timeout, tag-filters, tag-filter-condition, tag-filters-groups, export-fields, export-empty-tag, export-empty-metrics-disabled, enum-translate-to-name-disabled, universal-tag-translate-to-name-disabled, sasl, topic, extra-headers, request-timeout, max-retry-duration, tls, compression, max-message-bytes, deepflow-quirks, buffer'
const RELAY_KEYS =
  'listen, max-body-bytes, time-zone, universal-tags, shutdown-timeout, log-level, auth-token, protect-metrics, tls, overflow, max-records-per-request, max-line-bytes, max-depth, max-fields, max-string-bytes, client-timeout, memory-limit, memory-soft-limit, memory-hard-limit, max-concurrent-requests'
const EXPORT_FIELDS_HINT =
  "missing or empty; list what to export, e.g. export-fields: [$tag, $metrics] (DeepFlow's default list exports metrics only, Q4)"
const NOT_A_MAPPING = '(top level): expected a mapping with `exporters:` (or a DeepFlow server.yaml with `ingester.exporters:`)'
const badListen = (got: string, line: number) =>
  `relay.listen: expected HOST:PORT (e.g. 127.0.0.1:20480 or [::1]:20480), got ${got} (line ${line})`
const badTimeZone = (zone: string, line: number) =>
  `relay.time-zone: unknown time zone "${zone}"; expected UTC or an IANA name such as Asia/Shanghai (line ${line})`
const QUEUE_COUNT = (got: string) => `expected an integer from 1 to 16, got ${got} (DeepFlow panics outside this range)`
const QUEUE_SIZE = (got: string) => `expected a positive integer, got ${got} (DeepFlow makes it a queue of 1 and loses what does not fit)`

test('batch-size "ten" in a server.yaml: path, message and line', () => {
  const text = exportersYaml([STDOUT, `${STDOUT}\nbatch-size: ten`], { ingester: true })
  assert.deepEqual(problemsOf(text), [
    { path: ['ingester', 'exporters', 1, 'batch-size'], message: 'expected a positive integer, got "ten"', line: 11 },
  ])
  assert.deepEqual(formatted(text), ['ingester.exporters[1].batch-size: expected a positive integer, got "ten" (line 11)'])
})

test('ConfigError is an Error whose message lists the formatted problems, one per line', () => {
  let caught: unknown
  try {
    parseConfig(kafka('batch-size: ten\nqueue-size: -2'), 'x.yaml')
  } catch (err) {
    caught = err
  }
  assert.equal(caught instanceof ConfigError, true)
  assert.equal(caught instanceof Error, true)
  assert.equal(
    (caught as Error).message,
    `exporters[0].batch-size: expected a positive integer, got "ten" (line 7)\nexporters[0].queue-size: ${QUEUE_SIZE('-2')} (line 8)`,
  )
})

test('formatProblem: without a line, and the top level', () => {
  assert.equal(formatProblem({ path: ['relay', 'listen'], message: 'bad' }), 'relay.listen: bad')
  assert.equal(formatProblem({ path: [], message: 'bad', line: 3 }), '(top level): bad (line 3)')
  assert.equal(
    formatProblem({ path: ['exporters', 0, 'tag-filters', 2, 'field-values', 1], message: 'x' }),
    'exporters[0].tag-filters[2].field-values[1]: x',
  )
})

/** [test name, config text, every problem of its ConfigError formatted, in order, overrides given to parseConfig] */
const CASES: [name: string, text: string, expected: string[], overrides?: Overrides][] = [
  ['an unknown exporter key: did you mean, and the valid keys', kafka('queue-cont: 4'), [
    `exporters[0].queue-cont: unknown key; did you mean "queue-count"? (valid keys: ${EXPORTER_KEYS}) (line 7)`,
  ]],
  [
    'an unknown key in a tag filter: did you mean',
    kafka('tag-filters: [{field-name: request_domain, operator: "=", field-values: [a], field-value: [b]}]'),
    [
      'exporters[0].tag-filters[0].field-value: unknown key; did you mean "field-values"? (valid keys: field-name, operator, field-values) (line 7)',
    ],
  ],
  ['an unknown key in sasl', kafka('sasl: {enabled: true, user-name: u, sasl-mechanism: PLAIN}'), [
    'exporters[0].sasl.user-name: unknown key; did you mean "username"? (valid keys: enabled, security-protocol, sasl-mechanism, username, password) (line 7)',
  ]],
  ['an unknown top-level key in the relay format: did you mean', 'exporter: []\n', [
    'exporter: unknown key; did you mean "exporters"? (valid top-level keys: relay, exporters, sources, or a DeepFlow server.yaml\'s ingester) (line 1)',
  ]],
  ['unknown keys in relay', 'relay:\n  time-zon: UTC\n  listen-port: 1\nexporters: []\n', [
    `relay.time-zon: unknown key; did you mean "time-zone"? (valid keys: ${RELAY_KEYS}) (line 2)`,
    `relay.listen-port: unknown key (valid keys: ${RELAY_KEYS}) (line 3)`,
  ]],
  [
    'an unknown data source: did you mean, and the valid list',
    kafka().replace('[flow_log.l7_flow_log]', '[flow_log.l7_flow_log, flow_log.l7_flowlog]'),
    [
      `exporters[0].data-sources[1]: unknown data source "flow_log.l7_flowlog"; did you mean "flow_log.l7_flow_log"? (valid: ${ALL_SOURCES}) (line 5)`,
    ],
  ],
  ['an unknown operator', kafka('tag-filters: [{field-name: request_domain, operator: "==", field-values: [a]}]'), [
    'exporters[0].tag-filters[0].operator: unknown operator "=="; valid operators: =, !=, in, not in, :, !:, ~, !~ (case-insensitive) (line 7)',
  ]],
  [
    'a Go flag the relay cannot translate is an invalid regex',
    kafka('tag-filters: [{field-name: request_domain, operator: "!~", field-values: ["(?U)a"]}]'),
    [
      'exporters[0].tag-filters[0].field-values[0]: invalid regular expression "(?U)a": flag "U" is not supported (line 7)',
    ],
  ],
  ['missing export-fields suggests [$tag, $metrics]', kafka().replace('    export-fields: [$tag]\n', ''), [
    `exporters[0].export-fields: ${EXPORT_FIELDS_HINT} (line 2)`,
  ]],
  ['empty export-fields suggests [$tag, $metrics]', kafka('', '[]'), [`exporters[0].export-fields: ${EXPORT_FIELDS_HINT} (line 6)`]],
  ['queue-count 17 (DeepFlow panics above 16)', kafka('queue-count: 17'), [`exporters[0].queue-count: ${QUEUE_COUNT('17')} (line 7)`]],
  [
    'negative counts DeepFlow cannot run with, and the relay-only queue-max-bytes 0',
    kafka('queue-count: -1\nqueue-size: -3\nqueue-max-bytes: 0'),
    [
      'exporters[0].queue-max-bytes: expected a positive number of bytes, got 0 (line 9)',
      `exporters[0].queue-count: ${QUEUE_COUNT('-1')} (line 7)`,
      `exporters[0].queue-size: ${QUEUE_SIZE('-3')} (line 8)`,
    ],
  ],
  [
    'types Go refuses too: a quoted number for an int, a list for a string, a mapping for a list, scalars for mappings',
    kafka('queue-size: "4"\ntopic: [a]\ntag-filters: {a: 1}\nsasl: true\nextra-headers: x'),
    [
      'exporters[0].queue-size: expected a positive integer, got "4" (line 7)',
      'exporters[0].tag-filters: expected a list of tag filters, got a mapping (line 9)',
      'exporters[0].sasl: expected a mapping {enabled, security-protocol, sasl-mechanism, username, password}, got true (line 10)',
      'exporters[0].topic: expected a topic name, got a list (line 8)',
      'exporters[0].extra-headers: expected a map of header names to values, got "x" (line 11)',
    ],
  ],
  [
    'wrong types: enabled "yes" (quoted: a string, as Go sees it), a name with a space',
    kafka('name: "my exporter"').replace('enabled: true', 'enabled: "yes"'),
    [
      'exporters[0].enabled: expected true or false, got "yes" (line 3)',
      'exporters[0].name: expected a name of letters, digits and _ . : -, got "my exporter" (line 7)',
    ],
  ],
  [
    'duplicate exporter names',
    exportersYaml([
      kafkaEntry('name: main'),
      'protocol: stdout\nenabled: true\nname: main\ndata-sources: [flow_log.l7_flow_log]\nexport-fields: [$tag]',
    ]),
    ['exporters[1].name: duplicate exporter name "main" (also used by exporters[0]) (line 10)'],
  ],
  ['a disabled exporter is still validated', kafka('batch-size: ten').replace('enabled: true', 'enabled: false'), [
    'exporters[0].batch-size: expected a positive integer, got "ten" (line 7)',
  ]],
  [
    'several problems in several exporters and in relay are reported at once, in order',
    'relay:\n  shutdown-timeout: -1\n' + exportersYaml([
      'protocol: kafka\nenabled: true\ndata-sources: [flow_log.l7_flow_log]\nexport-fields: [$tag]\nbatch-size: ten',
      'protocol: zipkin\nenabled: true',
      'protocol: stdout\nenabled: true\ndata-sources: [flow_log.l7_flowlog]\nexport-fields: [$service_info]\nqueue-count: 17',
    ], { ingester: true }),
    [
      'relay.shutdown-timeout: expected a number of seconds (0 or more), got -1 (line 2)',
      'ingester.exporters[0].batch-size: expected a positive integer, got "ten" (line 9)',
      `ingester.exporters[2].data-sources[0]: unknown data source "flow_log.l7_flowlog"; did you mean "flow_log.l7_flow_log"? (valid: ${ALL_SOURCES}) (line 14)`,
      `ingester.exporters[2].queue-count: ${QUEUE_COUNT('17')} (line 16)`,
    ],
  ],
  [
    'relay.listen and relay.time-zone both wrong: both reported',
    'relay:\n  listen: localhost\n  time-zone: Mars/Olympus\nexporters: []\n',
    [
      badListen('"localhost"', 2),
      badTimeZone('Mars/Olympus', 3),
    ],
  ],
  ['a file that is not a mapping: an empty file', '', [NOT_A_MAPPING]],
  ['a file that is not a mapping: a list', '- a\n', [NOT_A_MAPPING]],
  ['exporters that is not a list', 'exporters: {a: 1}\n', ['exporters: expected a list of exporters (line 1)']],
  ['an exporters entry that is not a mapping', 'exporters:\n  - kafka\n', [
    'exporters[0]: expected a mapping with at least `protocol` (line 2)',
  ]],
  ['ingester that is not a mapping', 'ingester: 3\n', ['ingester: expected a mapping (line 1)']],
  ['both exporters and ingester.exporters', 'ingester: {}\nexporters: []\n', [
    'exporters: both `exporters` and `ingester.exporters` are present; keep one (line 2)',
  ]],
  ['relay.time-zone unknown: Mars/Olympus', 'relay:\n  time-zone: Mars/Olympus\nexporters: []\n', [badTimeZone('Mars/Olympus', 2)]],
  ['relay.time-zone unknown: Local', 'relay:\n  time-zone: Local\n', [badTimeZone('Local', 2)]],
  ['relay.listen bad: no port (a host name)', 'relay:\n  listen: localhost\n', [badListen('"localhost"', 2)]],
  ['relay.listen bad: no port (an IPv4 address)', 'relay:\n  listen: "127.0.0.1"\n', [badListen('"127.0.0.1"', 2)]],
  ['relay.listen bad: port above 65535', 'relay:\n  listen: "1.2.3.4:70000"\n', [badListen('"1.2.3.4:70000"', 2)]],
  ['relay.listen bad: an IPv6 address without brackets', 'relay:\n  listen: "::1:80"\n', [badListen('"::1:80"', 2)]],
  ['relay numbers and log-level', 'relay:\n  max-body-bytes: 0\n  shutdown-timeout: -1\n  log-level: trace\n', [
    'relay.max-body-bytes: expected a positive number of bytes, got 0 (line 2)',
    'relay.shutdown-timeout: expected a number of seconds (0 or more), got -1 (line 3)',
    'relay.log-level: expected one of debug, info, warn, error, got "trace" (line 4)',
  ]],
  [
    'a bad listen override names its source instead of relay.listen',
    'exporters: []\n',
    ['--listen: expected HOST:PORT (e.g. 127.0.0.1:20480 or [::1]:20480), got "bad"'],
    { listen: { value: 'bad', from: '--listen' } },
  ],
]

for (const [name, text, expected, overrides] of CASES) {
  test(name, () => {
    assert.deepEqual(formatted(text, overrides), expected)
  })
}

/** Problems whose message ends in text from the regex engine or the YAML parser: only its start is fixed. */
const ONE_PROBLEM_CASES: { name: string; text: string; path: ConfigPath; line?: number; messageStart: string }[] = [
  {
    name: 'an invalid regex in field-values of ~ names the value',
    text: kafka('tag-filters:\n  - {field-name: request_domain, operator: "~", field-values: ["ok", "(abc"]}'),
    path: ['exporters', 0, 'tag-filters', 0, 'field-values', 1],
    line: 8,
    messageStart: 'invalid regular expression "(abc": ',
  },
  {
    name: 'an invalid wildcard in field-values of : is reported after * -> .*',
    text: kafka('tag-filters-groups:\n  - tag-filters: [{field-name: request_domain, operator: ":", field-values: ["a(*"]}]'),
    path: ['exporters', 0, 'tag-filters-groups', 0, 'tag-filters', 0, 'field-values', 0],
    messageStart: 'invalid regular expression "a(.*": ',
  },
  {
    name: 'a YAML syntax error is reported with its line',
    text: 'exporters:\n  - protocol: kafka\n    enabled: [true\n',
    path: [],
    line: 4,
    messageStart: 'invalid YAML: ',
  },
]

for (const { name, text, path, line, messageStart } of ONE_PROBLEM_CASES) {
  test(name, () => {
    const problems = problemsOf(text)
    assert.equal(problems.length, 1)
    assert.deepEqual(problems[0]!.path, path)
    if (line !== undefined) assert.equal(problems[0]!.line, line)
    assert.equal(problems[0]!.message.startsWith(messageStart), true, problems[0]!.message)
  })
}

test('an unknown key in a group and in tag-filter-condition', () => {
  const lines = formatted(kafka('tag-filters-groups:\n  - tag-filter-condition: {typ: or}\n    tag-filter: []'))
  const unknown = lines.filter((line) => line.includes('unknown key'))
  assert.deepEqual(unknown, [
    'exporters[0].tag-filters-groups[0].tag-filter-condition.typ: unknown key; did you mean "type"? (valid keys: type) (line 8)',
    'exporters[0].tag-filters-groups[0].tag-filter: unknown key; did you mean "tag-filters"? (valid keys: tag-filter-condition, tag-filters) (line 9)',
  ])
})

test('a filter field that exists in one of the data sources is accepted', () => {
  const config = parseConfig(
    exportersYaml([
      'protocol: stdout\nenabled: true\ndata-sources: [flow_log.l7_flow_log, flow_log.l4_flow_log]\nexport-fields: [$tag]\n' +
      'tag-filters: [{field-name: mac_0, operator: "=", field-values: [1]}]',
    ]),
    'x.yaml',
  )
  assert.equal(config.exporters.length, 1)
})
