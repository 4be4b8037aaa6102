// parseConfig errors: ConfigError lists every problem with its YAML path, an exact message and the
// line; formatProblem renders `path: message (line N)`.
import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config/load.ts'
import { ConfigError, formatProblem, type ConfigProblem } from '../../src/config/problems.ts'

function problemsOf(text: string): readonly ConfigProblem[] {
  try {
    parseConfig(text, 'x.yaml')
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  assert.fail('expected a ConfigError')
}
const formatted = (text: string): string[] => problemsOf(text).map(formatProblem)

/** A valid kafka exporter in the relay format, with extra YAML lines appended to the entry. */
const kafka = (extra = '', exportFields = '[$tag]') =>
  `exporters:\n  - protocol: kafka\n    enabled: true\n    endpoints: [k:9092]\n    data-sources: [flow_log.l7_flow_log]\n    export-fields: ${exportFields}\n${extra}`

const ALL_SOURCES = 'flow_log.l7_flow_log, flow_log.l4_flow_log, flow_metrics.network.1m, flow_metrics.network.1s, flow_metrics.network_map.1m, flow_metrics.network_map.1s, flow_metrics.application.1m, flow_metrics.application.1s, flow_metrics.application_map.1m, flow_metrics.application_map.1s, event.file_event, event.perf_event'
const EXPORTER_KEYS = 'protocol, enabled, name, endpoints, data-sources, queue-count, queue-size, queue-max-bytes, batch-size, flush-timeout, tag-filters, tag-filter-condition, tag-filters-groups, export-fields, export-empty-tag, export-empty-metrics-disabled, enum-translate-to-name-disabled, universal-tag-translate-to-name-disabled, sasl, topic, extra-headers, request-timeout, max-retry-duration, tls, compression, max-message-bytes'
const EXPORT_FIELDS_HINT = 'missing or empty; list what to export, e.g. export-fields: [$tag, $metrics] (DeepFlow\'s default list exports metrics only, Q4)'

test('batch-size "ten" in a server.yaml: path, message and line', () => {
  const text = `ingester:
  exporters:
    - protocol: stdout
      enabled: true
      data-sources: [flow_log.l7_flow_log]
      export-fields: [$tag]
    - protocol: stdout
      enabled: true
      data-sources: [flow_log.l7_flow_log]
      export-fields: [$tag]
      batch-size: ten
`
  assert.deepEqual(problemsOf(text), [
    { path: ['ingester', 'exporters', 1, 'batch-size'], message: 'expected a positive integer, got "ten"', line: 11 },
  ])
  assert.deepEqual(formatted(text), ['ingester.exporters[1].batch-size: expected a positive integer, got "ten" (line 11)'])
})

test('ConfigError is an Error whose message lists the formatted problems, one per line', () => {
  let caught: unknown
  try {
    parseConfig(kafka('    batch-size: -1\n    queue-size: 2.5\n'), 'x.yaml')
  } catch (err) {
    caught = err
  }
  assert.equal(caught instanceof ConfigError, true)
  assert.equal(caught instanceof Error, true)
  assert.equal((caught as Error).message, 'exporters[0].queue-size: expected a positive integer, got 2.5 (line 8)\nexporters[0].batch-size: expected a positive integer, got -1 (line 7)')
})

test('formatProblem: without a line, and the top level', () => {
  assert.equal(formatProblem({ path: ['relay', 'listen'], message: 'bad' }), 'relay.listen: bad')
  assert.equal(formatProblem({ path: [], message: 'bad', line: 3 }), '(top level): bad (line 3)')
  assert.equal(formatProblem({ path: ['exporters', 0, 'tag-filters', 2, 'field-values', 1], message: 'x' }), 'exporters[0].tag-filters[2].field-values[1]: x')
})

test('an unknown exporter key: did you mean, and the valid keys', () => {
  assert.deepEqual(formatted(kafka('    queue-cont: 4\n')), [
    `exporters[0].queue-cont: unknown key; did you mean "queue-count"? (valid keys: ${EXPORTER_KEYS}) (line 7)`,
  ])
})

test('an unknown key in a tag filter: did you mean', () => {
  assert.deepEqual(formatted(kafka('    tag-filters: [{field-name: request_domain, operator: "=", field-values: [a], field-value: [b]}]\n')), [
    'exporters[0].tag-filters[0].field-value: unknown key; did you mean "field-values"? (valid keys: field-name, operator, field-values) (line 7)',
  ])
})

test('an unknown key in sasl and a bad mechanism', () => {
  assert.deepEqual(formatted(kafka('    sasl: {enabled: true, user-name: u, sasl-mechanism: GSSAPI}\n')), [
    'exporters[0].sasl.sasl-mechanism: expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got "GSSAPI" (line 7)',
    'exporters[0].sasl.user-name: unknown key; did you mean "username"? (valid keys: enabled, security-protocol, sasl-mechanism, username, password) (line 7)',
  ])
})

test('an unknown key in a group and in tag-filter-condition', () => {
  const lines = formatted(kafka('    tag-filters-groups:\n      - tag-filter-condition: {typ: or}\n        tag-filter: []\n'))
  const unknown = lines.filter((line) => line.includes('unknown key'))
  assert.deepEqual(unknown, [
    'exporters[0].tag-filters-groups[0].tag-filter-condition.typ: unknown key; did you mean "type"? (valid keys: type) (line 8)',
    'exporters[0].tag-filters-groups[0].tag-filter: unknown key; did you mean "tag-filters"? (valid keys: tag-filter-condition, tag-filters) (line 9)',
  ])
})

test('an unknown top-level key in the relay format: did you mean', () => {
  assert.deepEqual(formatted('exporter: []\n'), [
    'exporter: unknown key; did you mean "exporters"? (valid top-level keys: relay, exporters, sources, or a DeepFlow server.yaml\'s ingester) (line 1)',
  ])
})

test('unknown keys in relay', () => {
  assert.deepEqual(formatted('relay:\n  time-zon: UTC\n  listen-port: 1\nexporters: []\n'), [
    'relay.time-zon: unknown key; did you mean "time-zone"? (valid keys: listen, max-body-bytes, time-zone, universal-tags, shutdown-timeout, log-level, auth-token, protect-metrics, tls, overflow, max-records-per-request, max-line-bytes, max-depth, max-fields, max-string-bytes, client-timeout) (line 2)',
    'relay.listen-port: unknown key (valid keys: listen, max-body-bytes, time-zone, universal-tags, shutdown-timeout, log-level, auth-token, protect-metrics, tls, overflow, max-records-per-request, max-line-bytes, max-depth, max-fields, max-string-bytes, client-timeout) (line 3)',
  ])
})

test('an unknown data source: did you mean, and the valid list', () => {
  assert.deepEqual(formatted(kafka().replace('[flow_log.l7_flow_log]', '[flow_log.l7_flow_log, flow_log.l7_flowlog]')), [
    `exporters[0].data-sources[1]: unknown data source "flow_log.l7_flowlog"; did you mean "flow_log.l7_flow_log"? (valid: ${ALL_SOURCES}) (line 5)`,
  ])
})

test('no data sources', () => {
  assert.deepEqual(formatted(kafka().replace('    data-sources: [flow_log.l7_flow_log]\n', '')), [
    `exporters[0].data-sources: at least one data source is required; valid: ${ALL_SOURCES} (line 2)`,
  ])
})

test('an unknown operator', () => {
  assert.deepEqual(formatted(kafka('    tag-filters: [{field-name: request_domain, operator: "==", field-values: [a]}]\n')), [
    'exporters[0].tag-filters[0].operator: unknown operator "=="; valid operators: =, !=, in, not in, :, !:, ~, !~ (case-insensitive) (line 7)',
  ])
})

test('tag-filter-condition type must be exactly "and" or "or"', () => {
  assert.deepEqual(formatted(kafka('    tag-filter-condition: {type: OR}\n')), [
    'exporters[0].tag-filter-condition.type: expected "and" or "or", got "OR" (line 7)',
  ])
})

test('an invalid regex in field-values of ~ names the value', () => {
  const problems = problemsOf(kafka('    tag-filters:\n      - {field-name: request_domain, operator: "~", field-values: ["ok", "(abc"]}\n'))
  assert.equal(problems.length, 1)
  assert.deepEqual(problems[0]!.path, ['exporters', 0, 'tag-filters', 0, 'field-values', 1])
  assert.equal(problems[0]!.line, 8)
  assert.equal(problems[0]!.message.startsWith('invalid regular expression "(abc": '), true, problems[0]!.message)
})

test('an invalid wildcard in field-values of : is reported after * -> .*', () => {
  const problems = problemsOf(kafka('    tag-filters-groups:\n      - tag-filters: [{field-name: request_domain, operator: ":", field-values: ["a(*"]}]\n'))
  assert.equal(problems.length, 1)
  assert.deepEqual(problems[0]!.path, ['exporters', 0, 'tag-filters-groups', 0, 'tag-filters', 0, 'field-values', 0])
  assert.equal(problems[0]!.message.startsWith('invalid regular expression "a(.*": '), true, problems[0]!.message)
})

test('a Go flag the relay cannot translate is an invalid regex', () => {
  assert.deepEqual(formatted(kafka('    tag-filters: [{field-name: request_domain, operator: "!~", field-values: ["(?U)a"]}]\n')), [
    'exporters[0].tag-filters[0].field-values[0]: invalid regular expression "(?U)a": flag "U" is not supported (line 7)',
  ])
})

test('unknown export-fields category: $service_info suggests $tag.service_info, $delay suggests $metrics.delay', () => {
  assert.deepEqual(formatted(kafka('', '[$service_info, $delay, $metrics.delay]')), [
    'exporters[0].export-fields[0]: unknown export-fields category "$service_info"; did you mean "$tag.service_info"? (line 6)',
    'exporters[0].export-fields[1]: unknown export-fields category "$delay"; did you mean "$metrics.delay"? (line 6)',
  ])
})

test('unknown export-fields category without a close match lists the valid syntax', () => {
  assert.deepEqual(formatted(kafka('', '[$foo]')), [
    'exporters[0].export-fields[0]: unknown export-fields category "$foo"; valid: $tag, $metrics, $tag.<sub>, $metrics.<sub> with <sub> one of flow_info, universal_tag, native_tag, network_layer, tunnel_info, transport_layer, application_layer, service_info, tracing_info, capture_info, event_info, data_link_layer, l3_throughput, l4_throughput, tcp_slow, tcp_error, application, throughput, error, delay, $k8s.label, $k8s.label.<name>, ~$k8s.label.<regex> (line 6)',
  ])
})

test('missing export-fields suggests [$tag, $metrics]', () => {
  assert.deepEqual(formatted(kafka().replace('    export-fields: [$tag]\n', '')), [`exporters[0].export-fields: ${EXPORT_FIELDS_HINT} (line 2)`])
})

test('empty export-fields suggests [$tag, $metrics]', () => {
  assert.deepEqual(formatted(kafka('', '[]')), [`exporters[0].export-fields: ${EXPORT_FIELDS_HINT} (line 6)`])
})

test('an unknown field name in export-fields: did you mean', () => {
  assert.deepEqual(formatted(kafka('', '[ip4_0, ip4_O]')), [
    'exporters[0].export-fields[1]: unknown field "ip4_O" in flow_log.l7_flow_log; did you mean "ip4_0"? (line 6)',
  ])
})

test('an unknown field name in a filter: did you mean, across every data source of the exporter', () => {
  const text = `exporters:
  - protocol: stdout
    enabled: true
    data-sources: [flow_log.l7_flow_log, flow_log.l4_flow_log]
    export-fields: [mac_0, request_type]
    tag-filters-groups:
      - tag-filters: [{field-name: mac_O, operator: "=", field-values: [1]}]
`
  assert.deepEqual(formatted(text), [
    'exporters[0].tag-filters-groups[0].tag-filters[0].field-name: unknown field "mac_O" in flow_log.l7_flow_log, flow_log.l4_flow_log; did you mean "mac_0"? (line 7)',
  ])
})

test('a filter field that exists in one of the data sources is accepted', () => {
  const config = parseConfig(`exporters:
  - protocol: stdout
    enabled: true
    data-sources: [flow_log.l7_flow_log, flow_log.l4_flow_log]
    export-fields: [$tag]
    tag-filters: [{field-name: mac_0, operator: "=", field-values: [1]}]
`, 'x.yaml')
  assert.equal(config.exporters.length, 1)
})

test('queue-count 17 (DeepFlow panics above 16)', () => {
  assert.deepEqual(formatted(kafka('    queue-count: 17\n')), ['exporters[0].queue-count: expected an integer from 1 to 16, got 17 (line 7)'])
})

test('negative or fractional counts', () => {
  assert.deepEqual(formatted(kafka('    queue-count: -1\n    queue-size: 1.5\n    flush-timeout: -1\n    queue-max-bytes: 0\n')), [
    'exporters[0].queue-count: expected an integer from 1 to 16, got -1 (line 7)',
    'exporters[0].queue-size: expected a positive integer, got 1.5 (line 8)',
    'exporters[0].queue-max-bytes: expected a positive number of bytes, got 0 (line 10)',
    'exporters[0].flush-timeout: expected a positive number of seconds, got -1 (line 9)',
  ])
})

test('wrong types: enabled "yes", a name with a space', () => {
  assert.deepEqual(formatted(kafka('    name: "my exporter"\n').replace('enabled: true', 'enabled: "yes"')), [
    'exporters[0].enabled: expected true or false, got "yes" (line 3)',
    'exporters[0].name: expected a name of letters, digits and _ . : -, got "my exporter" (line 7)',
  ])
})

test('duplicate exporter names', () => {
  const text = `${kafka('    name: main\n')}  - protocol: stdout
    enabled: true
    name: main
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag]
`
  assert.deepEqual(formatted(text), ['exporters[1].name: duplicate exporter name "main" (also used by exporters[0]) (line 10)'])
})

test('prometheus with flow_log and event data sources is a config error', () => {
  const text = `exporters:
  - protocol: prometheus
    enabled: true
    endpoints: [http://prom:9090/api/v1/write]
    data-sources: [flow_metrics.network.1m, flow_log.l7_flow_log, event.file_event]
    export-fields: [$tag, $metrics]
`
  assert.deepEqual(formatted(text), [
    'exporters[0].data-sources[1]: flow_log.l7_flow_log cannot be sent as remote write; the prometheus exporter takes flow_metrics.* data sources only (line 5)',
    'exporters[0].data-sources[2]: event.file_event cannot be sent as remote write; the prometheus exporter takes flow_metrics.* data sources only (line 5)',
  ])
})

test('prometheus with $k8s.label, $k8s.label.<name> or ~$k8s.label.<regex> is a config error', () => {
  const text = `exporters:
  - protocol: prometheus
    enabled: true
    endpoints: [http://prom:9090/api/v1/write]
    data-sources: [flow_metrics.application.1m]
    export-fields: [$metrics, $k8s.label, $k8s.label.app, ~$k8s.label.^a]
`
  const msg = 'k8s labels cannot be sent as remote-write labels; remove it (DeepFlow drops them too) (line 6)'
  assert.deepEqual(formatted(text), [1, 2, 3].map((i) => `exporters[0].export-fields[${i}]: ${msg}`))
})

test('kafka and prometheus without endpoints', () => {
  assert.deepEqual(formatted(kafka().replace('    endpoints: [k:9092]\n', '')), ['exporters[0].endpoints: at least one endpoint is required for protocol kafka (line 2)'])
  assert.deepEqual(formatted(kafka().replace('    endpoints: [k:9092]\n', '    endpoints: []\n')), ['exporters[0].endpoints: at least one endpoint is required for protocol kafka (line 4)'])
  assert.deepEqual(formatted('exporters:\n  - protocol: prometheus\n    enabled: true\n    data-sources: [flow_metrics.network.1m]\n    export-fields: [$metrics]\n'), [
    'exporters[0].endpoints: at least one endpoint is required for protocol prometheus (line 2)',
  ])
})

test('a disabled exporter is still validated', () => {
  assert.deepEqual(formatted(kafka('    batch-size: ten\n').replace('enabled: true', 'enabled: false')), [
    'exporters[0].batch-size: expected a positive integer, got "ten" (line 7)',
  ])
})

test('several problems in several exporters and in relay are reported at once, in order', () => {
  const text = `relay:
  shutdown-timeout: -1
ingester:
  exporters:
    - protocol: kafka
      enabled: true
      data-sources: [flow_log.l7_flow_log]
      export-fields: [$tag]
      batch-size: ten
    - protocol: opentelemetry
      enabled: true
    - protocol: stdout
      enabled: true
      data-sources: [flow_log.l7_flowlog]
      export-fields: [$service_info]
      queue-count: 17
`
  assert.deepEqual(formatted(text), [
    'relay.shutdown-timeout: expected a number of seconds (0 or more), got -1 (line 2)',
    'ingester.exporters[0].batch-size: expected a positive integer, got "ten" (line 9)',
    'ingester.exporters[0].endpoints: at least one endpoint is required for protocol kafka (line 5)',
    'ingester.exporters[2].queue-count: expected an integer from 1 to 16, got 17 (line 16)',
    `ingester.exporters[2].data-sources[0]: unknown data source "flow_log.l7_flowlog"; did you mean "flow_log.l7_flow_log"? (valid: ${ALL_SOURCES}) (line 14)`,
    'ingester.exporters[2].export-fields[0]: unknown export-fields category "$service_info"; did you mean "$tag.service_info"? (line 15)',
  ])
})

test('relay.listen and relay.time-zone both wrong: both reported', () => {
  assert.deepEqual(formatted('relay:\n  listen: localhost\n  time-zone: Mars/Olympus\nexporters: []\n'), [
    'relay.listen: expected HOST:PORT (e.g. 127.0.0.1:20480 or [::1]:20480), got "localhost" (line 2)',
    'relay.time-zone: unknown time zone "Mars/Olympus"; expected UTC or an IANA name such as Asia/Shanghai (line 3)',
  ])
})

test('a YAML syntax error is reported with its line', () => {
  const problems = problemsOf('exporters:\n  - protocol: kafka\n    enabled: [true\n')
  assert.equal(problems.length, 1)
  assert.deepEqual(problems[0]!.path, [])
  assert.equal(problems[0]!.line, 4)
  assert.equal(problems[0]!.message.startsWith('invalid YAML: '), true, problems[0]!.message)
})

test('a duplicate YAML key is a syntax error with its line', () => {
  assert.deepEqual(formatted('exporters:\n  - protocol: kafka\n    protocol: stdout\n'), [
    '(top level): invalid YAML: Map keys must be unique at line 3, column 5: (line 3)',
  ])
})

test('a file that is not a mapping', () => {
  const msg = '(top level): expected a mapping with `exporters:` (or a DeepFlow server.yaml with `ingester.exporters:`)'
  assert.deepEqual(formatted(''), [msg])
  assert.deepEqual(formatted('- a\n'), [msg])
})

test('exporters that is not a list, an entry that is not a mapping, ingester that is not a mapping', () => {
  assert.deepEqual(formatted('exporters: {a: 1}\n'), ['exporters: expected a list of exporters (line 1)'])
  assert.deepEqual(formatted('exporters:\n  - kafka\n'), ['exporters[0]: expected a mapping with at least `protocol` (line 2)'])
  assert.deepEqual(formatted('ingester: 3\n'), ['ingester: expected a mapping (line 1)'])
})

test('both exporters and ingester.exporters', () => {
  assert.deepEqual(formatted('ingester: {}\nexporters: []\n'), ['exporters: both `exporters` and `ingester.exporters` are present; keep one (line 2)'])
})

test('relay.time-zone unknown', () => {
  assert.deepEqual(formatted('relay:\n  time-zone: Mars/Olympus\nexporters: []\n'), [
    'relay.time-zone: unknown time zone "Mars/Olympus"; expected UTC or an IANA name such as Asia/Shanghai (line 2)',
  ])
  assert.deepEqual(formatted('relay:\n  time-zone: Local\n'), [
    'relay.time-zone: unknown time zone "Local"; expected UTC or an IANA name such as Asia/Shanghai (line 2)',
  ])
})

test('relay.listen bad: no port, port above 65535, not text', () => {
  const msg = (got: string, line: number) => `relay.listen: expected HOST:PORT (e.g. 127.0.0.1:20480 or [::1]:20480), got ${got} (line ${line})`
  assert.deepEqual(formatted('relay:\n  listen: localhost\n'), [msg('"localhost"', 2)])
  assert.deepEqual(formatted('relay:\n  listen: "127.0.0.1"\n'), [msg('"127.0.0.1"', 2)])
  assert.deepEqual(formatted('relay:\n  listen: "1.2.3.4:70000"\n'), [msg('"1.2.3.4:70000"', 2)])
  assert.deepEqual(formatted('relay:\n  listen: "::1:80"\n'), [msg('"::1:80"', 2)])
})

test('relay numbers and log-level', () => {
  assert.deepEqual(formatted('relay:\n  max-body-bytes: 0\n  shutdown-timeout: -1\n  log-level: trace\n'), [
    'relay.max-body-bytes: expected a positive number of bytes, got 0 (line 2)',
    'relay.shutdown-timeout: expected a number of seconds (0 or more), got -1 (line 3)',
    'relay.log-level: expected one of debug, info, warn, error, got "trace" (line 4)',
  ])
})

test('a bad listen override names its source instead of relay.listen', () => {
  try {
    parseConfig('exporters: []\n', 'x.yaml', { listen: { value: 'bad', from: '--listen' } })
    assert.fail('expected a ConfigError')
  } catch (err) {
    assert.equal(err instanceof ConfigError, true)
    assert.deepEqual((err as ConfigError).problems.map(formatProblem), ['--listen: expected HOST:PORT (e.g. 127.0.0.1:20480 or [::1]:20480), got "bad"'])
  }
})
