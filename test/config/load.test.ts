// parseConfig: the two file formats (a whole DeepFlow server.yaml, the relay's own file with
// `exporters:` and `relay:`), every default filled in, 0 meaning the default as in DeepFlow,
// skipped exporters (enabled missing/false, unknown protocol) and the embedded default config.
import test from 'node:test'
import assert from 'node:assert/strict'
import { embeddedDefaultConfig, parseConfig } from '../../src/config/load.ts'
import type { ExporterConfig } from '../../src/config/types.ts'

const SERVER_YAML = `# deepflow-server server.yaml
log-file: /var/log/deepflow/server.log
log-level: info
controller:
  listen-port: 20035
  master-controller-name: ""
  genesis:
    aging_time: 86400
querier:
  listen-port: 20416
  clickhouse:
    database: flow_tag
ingester:
  ckdb:
    type: clickhouse
  flow-log-ttl-hour: 72
  exporters:
    - protocol: kafka
      enabled: true
      endpoints: [kafka-0:9092, kafka-1:9092]
      data-sources:
        - flow_log.l7_flow_log
        - flow_metrics.network_map.1m
      queue-count: 2
      batch-size: 500
      export-fields: [$tag, $metrics]
      tag-filters-groups:
        - tag-filter-condition:
            type: or
          tag-filters:
            - field-name: l7_protocol
              operator: in
              field-values: [20, 21]
      sasl:
        enabled: true
        username: relay
        password: s3cret
      topic: deepflow-all
`

const FULL_DEFAULTS: Omit<ExporterConfig, 'index' | 'name' | 'protocol' | 'enabled' | 'endpoints' | 'dataSources' | 'exportFields'> = {
  queueCount: 4,
  queueSize: 100000,
  queueMaxBytes: 64 * 1024 * 1024,
  batchSize: 1024,
  flushTimeout: 1,
  tagFilters: [],
  tagFilterCondition: 'and',
  tagFiltersGroups: [],
  exportEmptyTag: false,
  exportEmptyMetricsDisabled: false,
  enumTranslateToNameDisabled: false,
  universalTagTranslateToNameDisabled: false,
  sasl: null,
  topic: null,
  extraHeaders: {},
  requestTimeout: 30,
  maxRetryDuration: 300,
  tls: null,
  compression: 'snappy',
  maxMessageBytes: 1000000,
}

const DEFAULT_RELAY = {
  listen: { host: '127.0.0.1', port: 20480 },
  maxBodyBytes: 16 * 1024 * 1024,
  timeZone: 'UTC',
  universalTags: null,
  shutdownTimeout: 10,
  logLevel: 'info',
  authToken: null,
  protectMetrics: true,
  tls: null,
  overflow: 'reject',
  limits: { maxRecordsPerRequest: 100000, maxLineBytes: 1048576, maxDepth: 16, maxFields: 1024, maxStringBytes: 65536 },
  clientTimeout: 30,
}

test('a whole DeepFlow server.yaml: ingester.exporters is read, every other section ignored', () => {
  const config = parseConfig(SERVER_YAML, '/etc/server.yaml')
  assert.equal(config.file, '/etc/server.yaml')
  assert.deepEqual(config.relay, DEFAULT_RELAY)
  assert.deepEqual(config.skipped, [])
  assert.deepEqual(config.warnings, [])
  assert.deepEqual(config.exporters, [{
    ...FULL_DEFAULTS,
    index: 0,
    name: 'kafka-0',
    protocol: 'kafka',
    enabled: true,
    endpoints: ['kafka-0:9092', 'kafka-1:9092'],
    dataSources: ['flow_log.l7_flow_log', 'flow_metrics.network_map.1m'],
    queueCount: 2,
    batchSize: 500,
    exportFields: ['$tag', '$metrics'],
    tagFiltersGroups: [{ condition: 'or', filters: [{ fieldName: 'l7_protocol', operator: 'in', fieldValues: ['20', '21'] }] }],
    sasl: { enabled: true, securityProtocol: 'SASL_SSL', saslMechanism: 'PLAIN', username: 'relay', password: 's3cret' },
    topic: 'deepflow-all',
  }])
})

test('a server.yaml without ingester.exporters: no exporters, a warning', () => {
  const config = parseConfig('controller:\n  listen-port: 20035\ningester:\n  ckdb:\n    type: clickhouse\n', 's.yaml')
  assert.deepEqual(config.exporters, [])
  assert.deepEqual(config.warnings, ['ingester.exporters: no exporters configured; records are accepted and counted but sent nowhere'])
})

test('the relay format: top-level exporters and relay', () => {
  const config = parseConfig(`relay:
  listen: 0.0.0.0:9000
  time-zone: Asia/Shanghai
  max-body-bytes: 1048576
  universal-tags: /etc/relay/tags.json
  shutdown-timeout: 0
  log-level: debug
exporters:
  - protocol: stdout
    enabled: true
    data-sources: [event.file_event]
    export-fields: [$tag]
`, 'relay.yaml')
  assert.deepEqual(config.relay, {
    listen: { host: '0.0.0.0', port: 9000 },
    maxBodyBytes: 1048576,
    timeZone: 'Asia/Shanghai',
    universalTags: '/etc/relay/tags.json',
    shutdownTimeout: 0,
    logLevel: 'debug',
    authToken: null,
    protectMetrics: true,
    tls: null,
    overflow: 'reject',
    limits: { maxRecordsPerRequest: 100000, maxLineBytes: 1048576, maxDepth: 16, maxFields: 1024, maxStringBytes: 65536 },
    clientTimeout: 30,
  })
  assert.deepEqual(config.exporters, [{
    ...FULL_DEFAULTS,
    index: 0,
    name: 'stdout-0',
    protocol: 'stdout',
    enabled: true,
    endpoints: [],
    dataSources: ['event.file_event'],
    exportFields: ['$tag'],
  }])
})

test('every exporter default is filled: queue-count 4, queue-size 100000, batch-size 1024, flush-timeout 1, queue-max-bytes 64 MiB', () => {
  const [e] = parseConfig('exporters:\n  - protocol: kafka\n    enabled: true\n    endpoints: [k:9092]\n    data-sources: [flow_log.l4_flow_log]\n    export-fields: [$tag]\n', 'x.yaml').exporters
  assert.equal(e!.queueCount, 4)
  assert.equal(e!.queueSize, 100000)
  assert.equal(e!.batchSize, 1024)
  assert.equal(e!.flushTimeout, 1)
  assert.equal(e!.queueMaxBytes, 67108864)
  assert.equal(e!.name, 'kafka-0')
})

test('the relay section is optional: listen 127.0.0.1:20480, time-zone UTC, shutdown-timeout 10', () => {
  const config = parseConfig('exporters: []\n', 'x.yaml')
  assert.deepEqual(config.relay, DEFAULT_RELAY)
  assert.deepEqual(config.exporters, [])
  assert.deepEqual(config.warnings, [])
})

test('0 means the default for queue-count, queue-size, batch-size and flush-timeout, as in DeepFlow', () => {
  const [e] = parseConfig(`exporters:
  - protocol: kafka
    enabled: true
    endpoints: [k:9092]
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag]
    queue-count: 0
    queue-size: 0
    batch-size: 0
    flush-timeout: 0
`, 'x.yaml').exporters
  assert.deepEqual([e!.queueCount, e!.queueSize, e!.batchSize, e!.flushTimeout], [4, 100000, 1024, 1])
})

test('explicit values are kept: queue-count 16, queue-size 1000, batch-size 10, flush-timeout 0.5', () => {
  const [e] = parseConfig(`exporters:
  - protocol: kafka
    enabled: true
    endpoints: [k:9092]
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag]
    queue-count: 16
    queue-size: 1000
    batch-size: 10
    flush-timeout: 0.5
    queue-max-bytes: 1024
`, 'x.yaml').exporters
  assert.deepEqual([e!.queueCount, e!.queueSize, e!.batchSize, e!.flushTimeout, e!.queueMaxBytes], [16, 1000, 10, 0.5, 1024])
})

test('names default to <protocol>-<index> of the position in the list', () => {
  const config = parseConfig(`exporters:
  - protocol: stdout
    enabled: true
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag]
  - protocol: kafka
    enabled: true
    endpoints: [k:9092]
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag]
  - protocol: prometheus
    enabled: true
    name: remote
    endpoints: [http://prom:9090/api/v1/write]
    data-sources: [flow_metrics.network.1m]
    export-fields: [$tag, $metrics]
`, 'x.yaml')
  assert.deepEqual(config.exporters.map((e) => [e.index, e.name, e.protocol]), [[0, 'stdout-0', 'stdout'], [1, 'kafka-1', 'kafka'], [2, 'remote', 'prometheus']])
})

test('field-values numbers and booleans are stored as strings (yaml.v2 behaviour)', () => {
  const [e] = parseConfig(`exporters:
  - protocol: stdout
    enabled: true
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag]
    tag-filters:
      - {field-name: l7_protocol, operator: in, field-values: [3, 4.5, true, "x"]}
`, 'x.yaml').exporters
  assert.deepEqual(e!.tagFilters, [{ fieldName: 'l7_protocol', operator: 'in', fieldValues: ['3', '4.5', 'true', 'x'] }])
})

test('`enabled` missing or false: exporter skipped with a warning, not an error', () => {
  const config = parseConfig(`ingester:
  exporters:
    - protocol: kafka
      endpoints: [k:9092]
      data-sources: [flow_log.l7_flow_log]
      export-fields: [$tag]
    - protocol: stdout
      enabled: false
      data-sources: [flow_log.l7_flow_log]
      export-fields: [$tag]
    - protocol: stdout
      enabled: true
      data-sources: [flow_log.l7_flow_log]
      export-fields: [$tag]
`, 'x.yaml')
  const reason = '`enabled` is not true; exporter skipped, as DeepFlow does (set `enabled: true`)'
  assert.deepEqual(config.exporters.map((e) => e.name), ['stdout-2'])
  assert.deepEqual(config.skipped, [{ path: 'ingester.exporters[0]', reason }, { path: 'ingester.exporters[1]', reason }])
  assert.deepEqual(config.warnings, [`ingester.exporters[0]: ${reason}`, `ingester.exporters[1]: ${reason}`])
})

test('unknown protocol (opentelemetry): skipped with a warning, not an error, its other keys unchecked', () => {
  const config = parseConfig(`ingester:
  exporters:
    - protocol: opentelemetry
      enabled: true
      endpoints: [127.0.0.1:4317]
      data-sources: [flow_log.l7_flow_log]
      batch-size: 32
      not-a-key: 1
    - protocol: stdout
      enabled: true
      data-sources: [flow_log.l7_flow_log]
      export-fields: [$tag]
`, 'x.yaml')
  const reason = 'unknown protocol "opentelemetry" (supported: kafka, prometheus, stdout); exporter skipped, as DeepFlow does'
  assert.deepEqual(config.exporters.map((e) => [e.index, e.name]), [[1, 'stdout-1']])
  assert.deepEqual(config.skipped, [{ path: 'ingester.exporters[0]', reason }])
  assert.deepEqual(config.warnings, [`ingester.exporters[0]: ${reason}`])
})

test('deprecated legacy tag-filters and a multi-value regex produce warnings', () => {
  const config = parseConfig(`exporters:
  - protocol: stdout
    enabled: true
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag]
    tag-filters:
      - {field-name: request_domain, operator: "~", field-values: [a, b]}
`, 'x.yaml')
  assert.deepEqual(config.warnings, [
    'exporters[0].tag-filters[0].field-values: operator "~" uses only the first value, as DeepFlow does',
    'exporters[0].tag-filters: deprecated in DeepFlow; where these filters apply to a data source, tag-filters-groups are ignored for it',
  ])
})

test('protocol-specific keys on another protocol are warnings', () => {
  const config = parseConfig(`exporters:
  - protocol: stdout
    enabled: true
    endpoints: [x]
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag]
    topic: t
    extra-headers: {X-A: b}
`, 'x.yaml')
  assert.deepEqual(config.warnings, [
    'exporters[0].endpoints: not used by the stdout exporter',
    'exporters[0].topic: only used by the kafka exporter',
    'exporters[0].extra-headers: only used by the prometheus exporter',
  ])
})

test('embeddedDefaultConfig(): one stdout exporter, all 12 data sources, [$tag, $metrics]', () => {
  const config = embeddedDefaultConfig()
  assert.equal(config.file, null)
  assert.deepEqual(config.relay, DEFAULT_RELAY)
  assert.deepEqual(config.skipped, [])
  assert.deepEqual(config.warnings, [])
  assert.deepEqual(config.exporters, [{
    ...FULL_DEFAULTS,
    index: 0,
    name: 'stdout-0',
    protocol: 'stdout',
    enabled: true,
    endpoints: [],
    dataSources: [
      'flow_log.l7_flow_log', 'flow_log.l4_flow_log',
      'flow_metrics.network.1m', 'flow_metrics.network.1s',
      'flow_metrics.network_map.1m', 'flow_metrics.network_map.1s',
      'flow_metrics.application.1m', 'flow_metrics.application.1s',
      'flow_metrics.application_map.1m', 'flow_metrics.application_map.1s',
      'event.file_event', 'event.perf_event',
    ],
    exportFields: ['$tag', '$metrics'],
  }])
})

test('embeddedDefaultConfig() takes the listen override', () => {
  const config = embeddedDefaultConfig({ listen: { value: '[::1]:8080', from: '--listen' } })
  assert.deepEqual(config.relay.listen, { host: '::1', port: 8080 })
})

test('an override of listen wins over relay.listen', () => {
  const config = parseConfig('relay:\n  listen: 127.0.0.1:1000\nexporters: []\n', 'x.yaml', { listen: { value: '0.0.0.0:2000', from: 'DEEPFLOW_RELAY_LISTEN' } })
  assert.deepEqual(config.relay.listen, { host: '0.0.0.0', port: 2000 })
})
