// parseConfig: the two file formats (a whole DeepFlow server.yaml, the relay's own file with
// `exporters:` and `relay:`), every default filled in, 0 meaning the default as in DeepFlow,
// skipped exporters (enabled missing/false, unknown protocol) and the embedded default config.
import test from 'node:test'
import assert from 'node:assert/strict'
import { embeddedDefaultConfig, parseConfig } from '../../src/config-file/load.ts'
import type { Config, ExporterConfig } from '../../src/config/types.ts'
import { exportersYaml, kafka, kafkaEntry, STDOUT } from './helpers.ts'

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
  deepflowQuirks: false,
  buffer: { type: 'memory' as const },
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
  memoryLimit: null,
  memorySoftLimit: 0.8,
  memoryHardLimit: 0.9,
  maxConcurrentRequests: null,
}

/** The ExporterConfig of a first, enabled exporter: FULL_DEFAULTS with `fields`. */
const firstExporter = (
  fields: Partial<ExporterConfig> & Pick<ExporterConfig, 'name' | 'protocol' | 'endpoints' | 'dataSources' | 'exportFields'>,
): ExporterConfig => ({ ...FULL_DEFAULTS, index: 0, enabled: true, ...fields })

/** [test name, the config, its file, its one exporter]: the default relay settings, nothing skipped, no warnings. */
const ONE_EXPORTER_CONFIGS: [name: string, config: () => Config, file: string | null, exporter: ExporterConfig][] = [
  [
    'a whole DeepFlow server.yaml: ingester.exporters is read, every other section ignored',
    () => parseConfig(SERVER_YAML, '/etc/server.yaml'),
    '/etc/server.yaml',
    firstExporter({
      name: 'kafka-0',
      protocol: 'kafka',
      endpoints: ['kafka-0:9092', 'kafka-1:9092'],
      dataSources: ['flow_log.l7_flow_log', 'flow_metrics.network_map.1m'],
      queueCount: 2,
      batchSize: 500,
      exportFields: ['$tag', '$metrics'],
      tagFiltersGroups: [{ condition: 'or', filters: [{ fieldName: 'l7_protocol', operator: 'in', fieldValues: ['20', '21'] }] }],
      sasl: { enabled: true, securityProtocol: 'SASL_SSL', saslMechanism: 'PLAIN', username: 'relay', password: 's3cret' },
      topic: 'deepflow-all',
    }),
  ],
  [
    'embeddedDefaultConfig(): one stdout exporter, all 12 data sources, [$tag, $metrics]',
    () => embeddedDefaultConfig(),
    null,
    firstExporter({
      name: 'stdout-0',
      protocol: 'stdout',
      endpoints: [],
      dataSources: [
        'flow_log.l7_flow_log',
        'flow_log.l4_flow_log',
        'flow_metrics.network.1m',
        'flow_metrics.network.1s',
        'flow_metrics.network_map.1m',
        'flow_metrics.network_map.1s',
        'flow_metrics.application.1m',
        'flow_metrics.application.1s',
        'flow_metrics.application_map.1m',
        'flow_metrics.application_map.1s',
        'event.file_event',
        'event.perf_event',
      ],
      exportFields: ['$tag', '$metrics'],
    }),
  ],
]

for (const [name, make, file, exporter] of ONE_EXPORTER_CONFIGS) {
  test(name, () => {
    const config = make()
    assert.equal(config.file, file)
    assert.deepEqual(config.relay, DEFAULT_RELAY)
    assert.deepEqual(config.skipped, [])
    assert.deepEqual(config.warnings, [])
    assert.deepEqual(config.exporters, [exporter])
  })
}

test('a server.yaml without ingester.exporters: no exporters, a warning', () => {
  const config = parseConfig('controller:\n  listen-port: 20035\ningester:\n  ckdb:\n    type: clickhouse\n', 's.yaml')
  assert.deepEqual(config.exporters, [])
  assert.deepEqual(config.warnings, [
    'ingester.exporters: no exporters configured; records are accepted and counted but sent nowhere (line 3)',
  ])
})

test('the relay format: top-level exporters and relay', () => {
  const config = parseConfig(
    `relay:
  listen: 0.0.0.0:9000
  time-zone: Asia/Shanghai
  max-body-bytes: 1048576
  universal-tags: /etc/relay/tags.json
  shutdown-timeout: 0
  log-level: debug
${exportersYaml(['protocol: stdout\nenabled: true\ndata-sources: [event.file_event]\nexport-fields: [$tag]'])}`,
    'relay.yaml',
  )
  assert.deepEqual(config.relay, {
    ...DEFAULT_RELAY,
    listen: { host: '0.0.0.0', port: 9000 },
    maxBodyBytes: 1048576,
    timeZone: 'Asia/Shanghai',
    universalTags: { kind: 'file', path: '/etc/relay/tags.json' },
    shutdownTimeout: 0,
    logLevel: 'debug',
  })
  assert.deepEqual(config.exporters, [
    firstExporter({ name: 'stdout-0', protocol: 'stdout', endpoints: [], dataSources: ['event.file_event'], exportFields: ['$tag'] }),
  ])
})

test('the relay section is optional: listen 127.0.0.1:20480, time-zone UTC, shutdown-timeout 10', () => {
  const config = parseConfig('exporters: []\n', 'x.yaml')
  assert.deepEqual(config.relay, DEFAULT_RELAY)
  assert.deepEqual(config.exporters, [])
  assert.deepEqual(config.warnings, [])
})

/** [test name, a file with one kafka exporter, the values expected in its ExporterConfig] */
const EXPORTER_VALUES: [name: string, text: string, expected: Partial<ExporterConfig>][] = [
  [
    'every exporter default is filled: queue-count 4, queue-size 100000, batch-size 1024, flush-timeout 1, queue-max-bytes 64 MiB',
    kafka().replace('flow_log.l7_flow_log', 'flow_log.l4_flow_log'),
    { queueCount: 4, queueSize: 100000, batchSize: 1024, flushTimeout: 1, queueMaxBytes: 67108864, name: 'kafka-0' },
  ],
  [
    '0 means the default for queue-count, queue-size, batch-size and flush-timeout, as in DeepFlow',
    kafka('queue-count: 0\nqueue-size: 0\nbatch-size: 0\nflush-timeout: 0'),
    { queueCount: 4, queueSize: 100000, batchSize: 1024, flushTimeout: 1 },
  ],
  [
    'explicit values are kept: queue-count 16, queue-size 1000, batch-size 10, flush-timeout 0.5',
    kafka('queue-count: 16\nqueue-size: 1000\nbatch-size: 10\nflush-timeout: 0.5\nqueue-max-bytes: 1024'),
    { queueCount: 16, queueSize: 1000, batchSize: 10, flushTimeout: 0.5, queueMaxBytes: 1024 },
  ],
]

for (const [name, text, expected] of EXPORTER_VALUES) {
  test(name, () => {
    const [e] = parseConfig(text, 'x.yaml').exporters
    const actual = Object.fromEntries(Object.keys(expected).map((key) => [key, e![key as keyof ExporterConfig]]))
    assert.deepEqual(actual, expected)
  })
}

test('names default to <protocol>-<index> of the position in the list', () => {
  const config = parseConfig(
    exportersYaml([
      STDOUT,
      kafkaEntry(),
      'protocol: prometheus\nenabled: true\nname: remote\nendpoints: [http://prom:9090/api/v1/write]\ndata-sources: [flow_metrics.network.1m]\nexport-fields: [$tag, $metrics]',
    ]),
    'x.yaml',
  )
  assert.deepEqual(config.exporters.map((e) => [e.index, e.name, e.protocol]), [[0, 'stdout-0', 'stdout'], [1, 'kafka-1', 'kafka'], [
    2,
    'remote',
    'prometheus',
  ]])
})

test('field-values numbers and booleans are stored as strings (yaml.v2 behaviour)', () => {
  const [e] = parseConfig(
    exportersYaml([`${STDOUT}\ntag-filters:\n  - {field-name: l7_protocol, operator: in, field-values: [3, 4.5, true, "x"]}`]),
    'x.yaml',
  ).exporters
  assert.deepEqual(e!.tagFilters, [{ fieldName: 'l7_protocol', operator: 'in', fieldValues: ['3', '4.5', 'true', 'x'] }])
})

test('embeddedDefaultConfig() takes the listen override', () => {
  const config = embeddedDefaultConfig({ listen: { value: '[::1]:8080', from: '--listen' } })
  assert.deepEqual(config.relay.listen, { host: '::1', port: 8080 })
})

test('an override of listen wins over relay.listen', () => {
  const config = parseConfig('relay:\n  listen: 127.0.0.1:1000\nexporters: []\n', 'x.yaml', {
    listen: { value: '0.0.0.0:2000', from: 'DEEPFLOW_RELAY_LISTEN' },
  })
  assert.deepEqual(config.relay.listen, { host: '0.0.0.0', port: 2000 })
})
