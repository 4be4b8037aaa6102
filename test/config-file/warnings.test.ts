// What deepflow-server starts with, the relay starts with: where DeepFlow ignores or mishandles a
// setting, parseConfig accepts the file, does what DeepFlow does (or leaves out what can never
// work), and says so in a warning with the YAML path and line. Each case states the exact warnings
// and what the relay runs.
import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config-file/load.ts'
import type { Config } from '../../src/config/types.ts'
import { exportersYaml, kafka, kafkaEntry, STDOUT } from './helpers.ts'

const NOT_ENABLED = '`enabled` is not true; exporter skipped, as DeepFlow does (set `enabled: true`)'
const PROM = (extra: string) => `protocol: prometheus\nenabled: true\nendpoints: [http://prom:9090/api/v1/write]\n${extra}`

/** [test name, config text, every warning in order, what the relay runs] */
const CASES: [name: string, text: string, warnings: string[], check?: (c: Config) => void][] = [
  [
    'deprecated legacy tag-filters and a multi-value regex',
    exportersYaml([`${STDOUT}\ntag-filters:\n  - {field-name: request_domain, operator: "~", field-values: [a, b]}`]),
    [
      'exporters[0].tag-filters[0].field-values: operator "~" uses only the first value, as DeepFlow does (line 7)',
      'exporters[0].tag-filters: deprecated in DeepFlow; where these filters apply to a data source, tag-filters-groups are ignored for it (line 6)',
    ],
  ],
  [
    'protocol-specific keys on another protocol',
    exportersYaml([
      'protocol: stdout\nenabled: true\nendpoints: [x]\ndata-sources: [flow_log.l7_flow_log]\nexport-fields: [$tag]\ntopic: t\nextra-headers: {X-A: b}\nsasl: {enabled: true}',
    ]),
    [
      'exporters[0].endpoints: not used by the stdout exporter (line 4)',
      'exporters[0].sasl: only used by the kafka exporter (line 9)',
      'exporters[0].topic: only used by the kafka exporter (line 7)',
      'exporters[0].extra-headers: only used by the prometheus and opentelemetry exporters (line 8)',
    ],
  ],
  [
    '`enabled` missing or false: skipped (the disabled one still validated)',
    exportersYaml([
      'protocol: kafka\nendpoints: [k:9092]\ndata-sources: [flow_log.l7_flow_log]\nexport-fields: [$tag]',
      STDOUT.replace('enabled: true', 'enabled: false'),
      STDOUT,
    ], { ingester: true }),
    [`ingester.exporters[0]: ${NOT_ENABLED} (line 3)`, `ingester.exporters[1]: ${NOT_ENABLED} (line 7)`],
    (c) => {
      assert.deepEqual(c.exporters.map((e) => e.name), ['stdout-2'])
      assert.deepEqual(c.skipped, [{ path: 'ingester.exporters[0]', reason: NOT_ENABLED }, {
        path: 'ingester.exporters[1]',
        reason: NOT_ENABLED,
      }])
    },
  ],
  [
    "opentelemetry: DeepFlow's template block runs as it is (its false switches say nothing), batch-size 32 by default",
    exportersYaml([
      'protocol: opentelemetry\nenabled: true\nendpoints: [127.0.0.1:4317, 1.1.1.1:4317]\ndata-sources: [flow_log.l7_flow_log]\nqueue-count: 4\nqueue-size: 100000\nexport-fields: [$tag, $metrics, $k8s.label]\nexport-empty-tag: false\nexport-empty-metrics-disabled: false\nenum-translate-to-name-disabled: false\nuniversal-tag-translate-to-name-disabled: false\nextra-headers: {key1: value1, key2: value2}',
    ], { ingester: true }),
    [],
    (c) => {
      const e = c.exporters[0]!
      assert.deepEqual([e.protocol, e.endpoints, e.dataSources, e.batchSize, e.deepflowQuirks], [
        'opentelemetry',
        ['127.0.0.1:4317', '1.1.1.1:4317'],
        ['flow_log.l7_flow_log'],
        32,
        false,
      ])
    },
  ],
  [
    'opentelemetry: what its span encoder cannot send or never reads is warned, each by path',
    exportersYaml([
      "protocol: opentelemetry\nenabled: true\nendpoints: ['collector:4317', 'http://c:4318/v1/traces', 'grpc://c:4317', 'c', '::1:4317']\ndata-sources: [flow_log.l7_flow_log, flow_metrics.network.1m]\nexport-fields: [$tag, $metrics, request_type, $universal_tag, $k8s.label.app, ~$metrics]\nexport-empty-tag: true\nenum-translate-to-name-disabled: true\nextra-headers: {X-Tenant: a, TE: trailers, Content-Type: text/plain}\nbatch-size: 8\ndeepflow-quirks: true",
      'protocol: stdout\nenabled: true\ndata-sources: [flow_log.l7_flow_log]\nexport-fields: [$tag]\ndeepflow-quirks: true',
    ]),
    [
      'exporters[0].data-sources[1]: flow_metrics.network.1m cannot be sent as OTLP spans (the opentelemetry exporter takes flow_log.l7_flow_log only; DeepFlow drops these records as encode errors); not subscribed (line 5)',
      'exporters[0].endpoints[2]: opentelemetry endpoint "grpc://c:4317": unknown scheme "grpc://"; expected host:port (OTLP/gRPC) or an http:// or https:// URL such as http://collector:4318/v1/traces (OTLP/HTTP); ignored (line 4)',
      'exporters[0].endpoints[3]: opentelemetry endpoint "c": no port; expected host:port (OTLP/gRPC) or an http:// or https:// URL such as http://collector:4318/v1/traces (OTLP/HTTP); ignored (line 4)',
      'exporters[0].endpoints[4]: opentelemetry endpoint "::1:4317": an IPv6 address needs brackets, as in [::1]:4317; expected host:port (OTLP/gRPC) or an http:// or https:// URL such as http://collector:4318/v1/traces (OTLP/HTTP); ignored (line 4)',
      'exporters[0].export-fields[2]: the opentelemetry exporter selects attributes by $category only (a field name or an exclusion selects nothing there, as in DeepFlow); ignored (line 6)',
      'exporters[0].export-fields[3]: unknown export-fields category "$universal_tag"; did you mean "$tag.universal_tag"?; ignored, as DeepFlow ignores it (line 6)',
      "exporters[0].export-fields[4]: selects no span attributes: DeepFlow's opentelemetry exporter knows $tag, $metrics, $k8s.label and $tag.<sub-category> (e.g. $tag.universal_tag); ignored, as DeepFlow ignores it (line 6)",
      'exporters[0].export-fields[5]: the opentelemetry exporter selects attributes by $category only (a field name or an exclusion selects nothing there, as in DeepFlow); ignored (line 6)',
      'exporters[0].export-empty-tag: not used by the opentelemetry exporter (its attributes are chosen by export-fields categories only, as in DeepFlow); ignored (line 7)',
      'exporters[0].enum-translate-to-name-disabled: not used by the opentelemetry exporter (its attributes are chosen by export-fields categories only, as in DeepFlow); ignored (line 8)',
      'exporters[0].extra-headers.Content-Type: cannot override an OTLP/HTTP header; ignored for the http(s) endpoints (line 9)',
      'exporters[0].extra-headers.TE: not sent as gRPC metadata (set by gRPC itself); ignored for the host:port endpoints (line 9)',
      'exporters[0].extra-headers.Content-Type: not sent as gRPC metadata (set by gRPC itself); ignored for the host:port endpoints (line 9)',
      'exporters[1].deepflow-quirks: only used by the opentelemetry exporter (line 16)',
    ],
    (c) => {
      const e = c.exporters[0]!
      assert.deepEqual([e.endpoints, e.dataSources, e.exportFields, e.batchSize, e.deepflowQuirks], [
        ['collector:4317', 'http://c:4318/v1/traces'],
        ['flow_log.l7_flow_log'],
        ['$tag', '$metrics'],
        8,
        true,
      ])
    },
  ],
  [
    'an unknown protocol (DeepFlow compares exactly): did you mean',
    exportersYaml([kafkaEntry().replace('protocol: kafka', 'protocol: Kafka')]),
    [
      'exporters[0].protocol: unknown protocol "Kafka" (supported: kafka, prometheus, stdout, opentelemetry; did you mean "kafka"?); exporter skipped, as DeepFlow does (line 2)',
    ],
    (c) => assert.deepEqual(c.exporters, []),
  ],
  [
    'a disabled exporter of an unknown protocol: one warning, that it is not enabled',
    exportersYaml(['protocol: zipkin\nenabled: false']),
    [
      `exporters[0]: ${NOT_ENABLED} (line 2)`,
    ],
  ],
  ['no protocol, and an empty list entry: skipped as DeepFlow skips them', 'exporters:\n  - enabled: true\n    protocol:\n  -\n  - ~\n', [
    'exporters[0].protocol: no protocol; exporter skipped, as DeepFlow does (line 3)',
    'exporters[1]: an empty entry (no protocol, not enabled); exporter skipped, as DeepFlow does (line 4)',
    'exporters[2]: an empty entry (no protocol, not enabled); exporter skipped, as DeepFlow does (line 5)',
  ], (c) => assert.deepEqual(c.exporters, [])],
  [
    'tag-filter-condition types other than exactly "and" or "or" mean "and"',
    kafka(
      'tag-filter-condition: {type: OR}\ntag-filters-groups:\n  - tag-filter-condition: {type: any}\n    tag-filters: [{field-name: l7_protocol, operator: "=", field-values: [20]}]\n  - tag-filter-condition: {type: ""}\n    tag-filters: []',
    ),
    [
      'exporters[0].tag-filters-groups[0].tag-filter-condition.type: "any" is neither "and" nor "or" (DeepFlow compares exactly); "and" is used, as DeepFlow does (line 9)',
      'exporters[0].tag-filter-condition.type: "OR" is neither "and" nor "or" (DeepFlow compares exactly); "and" is used, as DeepFlow does (line 7)',
    ],
    (c) => {
      assert.equal(c.exporters[0]!.tagFilterCondition, 'and')
      assert.deepEqual(c.exporters[0]!.tagFiltersGroups.map((g) => g.condition), ['and', 'and'])
    },
  ],
  [
    'sasl: an unknown security protocol or mechanism (DeepFlow warns and uses PLAIN without TLS)',
    kafka('sasl: {enabled: true, security-protocol: SSL, sasl-mechanism: GSSAPI, username: u, password: p}'),
    [
      'exporters[0].sasl.security-protocol: expected SASL_SSL or SASL_PLAINTEXT, got "SSL"; SASL_SSL is used (DeepFlow warns and never uses TLS) (line 7)',
      'exporters[0].sasl.sasl-mechanism: expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got "GSSAPI"; PLAIN is used, as DeepFlow does (line 7)',
    ],
    (c) =>
      assert.deepEqual(c.exporters[0]!.sasl, {
        enabled: true,
        securityProtocol: 'SASL_SSL',
        saslMechanism: 'PLAIN',
        username: 'u',
        password: 'p',
      }),
  ],
  [
    'sasl not enabled: its other keys are not used (the Kafka docs example)',
    kafka('sasl: {enabled: false, security-protocol: SASL_SSL, sasl-mechanism: PLAIN, username: aaa, password: bbb}'),
    [],
    (c) => assert.equal(c.exporters[0]!.sasl, null),
  ],
  [
    'a filter on a field no data source has does not apply: did you mean, across every data source of the exporter',
    exportersYaml([
      'protocol: stdout\nenabled: true\ndata-sources: [flow_log.l7_flow_log, flow_log.l4_flow_log]\nexport-fields: [mac_0, request_type]\n' +
      'tag-filters-groups:\n  - tag-filters: [{field-name: mac_O, operator: "=", field-values: [1]}]',
    ]),
    ['exporters[0].tag-filters-groups[0].tag-filters[0].field-name: no field "mac_O" in flow_log.l7_flow_log, flow_log.l4_flow_log; did you mean "mac_0"?; this filter does not apply, as in DeepFlow (line 7)'],
  ],
  [
    "a filter without an operator matches every record, as DeepFlow's INVALID_OPERATOR_ID",
    kafka(
      'tag-filters-groups:\n  - tag-filters: [{field-name: l7_protocol, field-values: [20]}, {field-name: l7_protocol, operator: "", field-values: [20]}]',
    ),
    [
      'exporters[0].tag-filters-groups[0].tag-filters[0].operator: no operator; this filter matches every record, as in DeepFlow (line 8)',
      'exporters[0].tag-filters-groups[0].tag-filters[1].operator: no operator; this filter matches every record, as in DeepFlow (line 8)',
    ],
    (c) => assert.deepEqual(c.exporters[0]!.tagFiltersGroups[0]!.filters.map((f) => f.operator), ['', '']),
  ],
  [
    'unknown export-fields categories ($service_info suggests $tag.service_info) and an empty entry are left out',
    kafka('', '[$service_info, $delay, $metrics.delay, $foo, ""]'),
    [
      'exporters[0].export-fields[0]: unknown export-fields category "$service_info"; did you mean "$tag.service_info"?; ignored, as DeepFlow ignores it (line 6)',
      'exporters[0].export-fields[1]: unknown export-fields category "$delay"; did you mean "$metrics.delay"?; ignored, as DeepFlow ignores it (line 6)',
      'exporters[0].export-fields[3]: unknown export-fields category "$foo"; valid: $tag, $metrics, $tag.<sub>, $metrics.<sub> with <sub> one of flow_info, universal_tag, native_tag, network_layer, tunnel_info, transport_layer, application_layer, service_info, tracing_info, capture_info, event_info, data_link_layer, l3_throughput, l4_throughput, tcp_slow, tcp_error, application, throughput, error, delay, $k8s.label, $k8s.label.<name>, ~$k8s.label.<regex>; ignored, as DeepFlow ignores it (line 6)',
      'exporters[0].export-fields[4]: empty export-fields entry; ignored, as DeepFlow ignores it (line 6)',
    ],
    (c) => assert.deepEqual(c.exporters[0]!.exportFields, ['$metrics.delay']),
  ],
  ['an unknown field name in export-fields: did you mean; left out', kafka('', '[ip4_0, ip4_O]'), [
    'exporters[0].export-fields[1]: unknown field "ip4_O" in flow_log.l7_flow_log; did you mean "ip4_0"?; ignored (line 6)',
  ], (c) => assert.deepEqual(c.exporters[0]!.exportFields, ['ip4_0'])],
  [
    'prometheus: flow_log and event data sources are not subscribed (DeepFlow drops them as encode errors)',
    exportersYaml([
      PROM('data-sources: [flow_metrics.network.1m, flow_log.l7_flow_log, event.file_event]\nexport-fields: [$tag, $metrics]'),
    ]),
    [
      'exporters[0].data-sources[1]: flow_log.l7_flow_log cannot be sent as remote write (the prometheus exporter takes flow_metrics.* only; DeepFlow drops these records as encode errors); not subscribed (line 5)',
      'exporters[0].data-sources[2]: event.file_event cannot be sent as remote write (the prometheus exporter takes flow_metrics.* only; DeepFlow drops these records as encode errors); not subscribed (line 5)',
    ],
    (c) => assert.deepEqual(c.exporters[0]!.dataSources, ['flow_metrics.network.1m']),
  ],
  [
    'prometheus with nothing it can send is skipped',
    exportersYaml([PROM('data-sources: [flow_log.l4_flow_log]\nexport-fields: [$tag, $metrics]')]),
    [
      'exporters[0].data-sources[0]: flow_log.l4_flow_log cannot be sent as remote write (the prometheus exporter takes flow_metrics.* only; DeepFlow drops these records as encode errors); not subscribed (line 5)',
      'exporters[0].data-sources: none of the data sources can be sent by this prometheus exporter; exporter skipped (line 5)',
    ],
    (c) => assert.deepEqual([c.exporters, c.skipped.map((s) => s.path)], [[], ['exporters[0]']]),
  ],
  [
    'prometheus: k8s labels in export-fields are left out (DeepFlow drops them too)',
    exportersYaml([
      PROM('data-sources: [flow_metrics.application.1m]\nexport-fields: [$metrics, $k8s.label, $k8s.label.app, ~$k8s.label.^a]'),
    ]),
    [1, 2, 3].map((i) =>
      `exporters[0].export-fields[${i}]: k8s labels cannot be sent as remote-write labels; ignored, as DeepFlow ignores them (line 6)`
    ),
    (c) => assert.deepEqual(c.exporters[0]!.exportFields, ['$metrics']),
  ],
  ['kafka without endpoints is skipped (DeepFlow drops every batch)', kafka().replace('    endpoints: [k:9092]\n', '    endpoints: []\n'), [
    'exporters[0].endpoints: no usable endpoint; exporter skipped (DeepFlow drops every batch) (line 4)',
  ], (c) => assert.deepEqual(c.exporters, [])],
  [
    'prometheus without endpoints is skipped (DeepFlow divides by zero, Q14)',
    exportersYaml(['protocol: prometheus\nenabled: true\ndata-sources: [flow_metrics.network.1m]\nexport-fields: [$metrics]']),
    [
      'exporters[0].endpoints: no usable endpoint; exporter skipped (DeepFlow divides by zero at the first batch, Q14) (line 2)',
    ],
  ],
  ['a Kafka endpoint that is not HOST:PORT is left out', kafka().replace('[k:9092]', '[k:9092, "kafka://k:9092", k]'), [
    'exporters[0].endpoints[1]: expected a Kafka broker address HOST:PORT, got "kafka://k:9092"; ignored (line 4)',
    'exporters[0].endpoints[2]: expected a Kafka broker address HOST:PORT, got "k"; ignored (line 4)',
  ], (c) => assert.deepEqual(c.exporters[0]!.endpoints, ['k:9092'])],
  [
    'no data sources: skipped (DeepFlow runs it idle)',
    kafka().replace('    data-sources: [flow_log.l7_flow_log]\n', '    data-sources:\n'),
    [
      'exporters[0].data-sources: no data sources; exporter skipped (DeepFlow runs it idle) (line 5)',
    ],
    (c) => assert.deepEqual(c.exporters, []),
  ],
  [
    'data sources DeepFlow defines but never exports (Q18)',
    kafka().replace('[flow_log.l7_flow_log]', '[flow_log.l7_flow_log, event.proc_perm_event, event.file_agg_event]'),
    [
      'exporters[0].data-sources[1]: event.proc_perm_event is defined by DeepFlow but never exported (Q18); this exporter receives nothing from it (line 5)',
      'exporters[0].data-sources[2]: event.file_agg_event is defined by DeepFlow but never exported (Q18); this exporter receives nothing from it (line 5)',
    ],
    (c) => assert.deepEqual(c.exporters[0]!.dataSources, ['flow_log.l7_flow_log']),
  ],
  [
    'counts as yaml.v2 reads them: 2.5 truncated, a negative batch-size sends records alone, a negative flush-timeout is the default',
    kafka('queue-size: 2.5\nbatch-size: -4\nflush-timeout: -1\nqueue-count: 3.0'),
    [
      "exporters[0].queue-size: 2.5 is not an integer; 2 is used, as DeepFlow's YAML reader truncates it (line 7)",
      'exporters[0].batch-size: -4 is negative; 1 is used (DeepFlow sends every record alone) (line 8)',
      'exporters[0].flush-timeout: -1 is negative; the default 1 s is used (DeepFlow never reads flush-timeout) (line 9)',
    ],
    (c) => {
      const e = c.exporters[0]!
      assert.deepEqual([e.queueCount, e.queueSize, e.batchSize, e.flushTimeout], [3, 2, 1, 1])
    },
  ],
  [
    'a duplicate key where the relay reads: the last one wins, as in yaml.v2, with a warning at the second',
    'relay:\n  log-level: debug\n  log-level: warn\nexporters:\n  - protocol: kafka\n    protocol: stdout\n    enabled: true\n    data-sources: [flow_log.l7_flow_log]\n    export-fields: [$tag]\n',
    [
      'relay.log-level: duplicate key; the last one is used, as in DeepFlow (line 3)',
      'exporters[0].protocol: duplicate key; the last one is used, as in DeepFlow (line 6)',
    ],
    (c) => assert.deepEqual([c.relay.logLevel, c.exporters[0]!.protocol], ['warn', 'stdout']),
  ],
  [
    "duplicate keys in the parts of a server.yaml the relay does not read are DeepFlow's business",
    `controller:\n  a: 1\n  a: 2\n${exportersYaml([STDOUT], { ingester: true })}`,
    [],
  ],
]

for (const [name, text, warnings, check] of CASES) {
  test(name, () => {
    const config = parseConfig(text, 'x.yaml')
    assert.deepEqual(config.warnings, warnings)
    check?.(config)
  })
}

test('YAML 1.1 scalars as deepflow-server reads them: yes/on are bools, a string field takes the text as written', () => {
  const [e] = parseConfig(
    exportersYaml([
      'protocol: kafka\nenabled: yes\nendpoints: [k:9092]\ndata-sources: [flow_log.l7_flow_log]\nexport-fields: [$tag]\nexport-empty-tag: on\n' +
      'topic: 0123\nsasl: {enabled: Y, username: 007, password: 1_000}\ntag-filters: [{field-name: l7_protocol, operator: in, field-values: [0x14, 1e3, yes, ~]}]\nqueue-count: 0x2',
    ]),
    'x.yaml',
  ).exporters
  assert.equal(e!.enabled, true)
  assert.equal(e!.exportEmptyTag, true)
  assert.equal(e!.topic, '0123')
  assert.deepEqual([e!.sasl?.username, e!.sasl?.password], ['007', '1_000'])
  assert.deepEqual(e!.tagFilters[0]!.fieldValues, ['0x14', '1e3', 'yes', ''])
  assert.equal(e!.queueCount, 2)
})

test('merge keys (<<) and anchors work as in yaml.v2', () => {
  const config = parseConfig(
    `x-common: &common
  enabled: true
  data-sources: [flow_log.l7_flow_log]
  export-fields: [$tag]
ingester:
  exporters:
    - <<: *common
      protocol: stdout
      name: one
    - <<: *common
      protocol: stdout
      name: two
      enabled: false
`,
    'x.yaml',
  )
  assert.deepEqual(config.exporters.map((e) => [e.name, e.dataSources]), [['one', ['flow_log.l7_flow_log']]])
  assert.deepEqual(config.skipped.map((s) => s.path), ['ingester.exporters[1]'])
})
