// main() with the fake runtime: --help, --version, `check` (valid, invalid, unreadable, universal
// tags), --listen and the DEEPFLOW_RELAY_* environment. Only paths that return before serving.
import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import YAML from 'yaml'
import { main } from '../../src/main.ts'
import { DATA_SOURCES } from '../../src/deepflow/schema.ts'
import { USAGE } from '../../src/cli/args.ts'
import { createFakeRuntime } from '../helpers/fake-runtime.ts'

const PKG_VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version

async function run(args: string[], opts: { env?: Record<string, string>; files?: Record<string, string> } = {}) {
  const rt = createFakeRuntime({ args, ...opts })
  const code = await main(rt)
  return { code, stdout: rt.stdout.join(''), stderr: rt.stderr.join('') }
}

const KAFKA_YAML = `ingester:
  ckdb:
    type: clickhouse
  exporters:
    - protocol: kafka
      enabled: true
      endpoints: [kafka:9092]
      data-sources: [flow_log.l7_flow_log]
      export-fields: [$tag, $metrics]
      sasl:
        enabled: true
        username: relay
        password: s3cret
      tag-filters-groups:
        - tag-filter-condition: {type: or}
          tag-filters:
            - {field-name: l7_protocol, operator: IN, field-values: [20, 21]}
`

const BAD_YAML = `exporters:
  - protocol: kafka
    enabled: true
    data-sources: [flow_log.l7_flowlog]
    export-fields: [$service_info]
    batch-size: ten
`

const EFFECTIVE_KAFKA = {
  name: 'kafka-0',
  protocol: 'kafka',
  enabled: true,
  endpoints: ['kafka:9092'],
  'data-sources': ['flow_log.l7_flow_log'],
  'queue-count': 4,
  'queue-size': 100000,
  'queue-max-bytes': 67108864,
  'batch-size': 1024,
  'flush-timeout': 1,
  'tag-filter-condition': { type: 'and' },
  'tag-filters': [],
  'tag-filters-groups': [{
    'tag-filter-condition': { type: 'or' },
    'tag-filters': [{ 'field-name': 'l7_protocol', operator: 'in', 'field-values': ['20', '21'] }],
  }],
  'export-fields': ['$tag', '$metrics'],
  'export-empty-tag': false,
  'export-empty-metrics-disabled': false,
  'enum-translate-to-name-disabled': false,
  'universal-tag-translate-to-name-disabled': false,
  sasl: { enabled: true, 'security-protocol': 'SASL_SSL', 'sasl-mechanism': 'PLAIN', username: 'relay', password: '******' },
  'extra-headers': {},
  'request-timeout': 30,
  'max-retry-duration': 300,
  compression: 'snappy',
  'max-message-bytes': 1000000,
  buffer: { type: 'memory' },
}
const DEFAULT_RELAY = {
  listen: '127.0.0.1:20480',
  'max-body-bytes': 16777216,
  'time-zone': 'UTC',
  'shutdown-timeout': 10,
  'log-level': 'info',
  'protect-metrics': true,
  overflow: 'reject',
  'max-records-per-request': 100000,
  'max-line-bytes': 1048576,
  'max-depth': 16,
  'max-fields': 1024,
  'max-string-bytes': 65536,
  'client-timeout': 30,
  'memory-soft-limit': 0.8,
  'memory-hard-limit': 0.9,
}

test('--help prints the usage on stdout and exits 0', async () => {
  const r = await run(['--help'])
  assert.deepEqual(r, { code: 0, stdout: USAGE, stderr: '' })
  assert.equal(USAGE.startsWith('deepflow-relay: exports DeepFlow records to Kafka (JSON) and Prometheus remote write\n\nUsage:\n'), true)
})

test('-h is --help, and wins over a subcommand', async () => {
  assert.deepEqual(await run(['-h']), { code: 0, stdout: USAGE, stderr: '' })
  assert.deepEqual(await run(['check', '--help']), { code: 0, stdout: USAGE, stderr: '' })
})

test('--version prints the package version and the runtime name', async () => {
  assert.equal(PKG_VERSION, '0.1.0')
  assert.deepEqual(await run(['--version']), { code: 0, stdout: 'deepflow-relay 0.1.0 (fake)\n', stderr: '' })
  assert.deepEqual(await run(['-v']), { code: 0, stdout: 'deepflow-relay 0.1.0 (fake)\n', stderr: '' })
})

test('check --config FILE, valid: exit 0, the effective YAML with defaults filled, the password masked', async () => {
  const r = await run(['check', '--config', '/etc/deepflow/server.yaml'], { files: { '/etc/deepflow/server.yaml': KAFKA_YAML } })
  assert.equal(r.code, 0)
  assert.equal(r.stderr, '')
  assert.equal(r.stdout.startsWith('# deepflow-relay check: /etc/deepflow/server.yaml is valid; effective configuration:\n'), true)
  assert.equal(r.stdout.includes('\n    queue-count: 4\n'), true)
  assert.equal(r.stdout.includes('\n      password: "******"\n'), true)
  assert.equal(r.stdout.includes('s3cret'), false)
  assert.deepEqual(YAML.parse(r.stdout), { relay: DEFAULT_RELAY, exporters: [EFFECTIVE_KAFKA] })
})

test('check output is itself a valid config that checks the same (apart from the masked password)', async () => {
  const first = await run(['check', '--config', '/a.yaml'], { files: { '/a.yaml': KAFKA_YAML } })
  const second = await run(['check', '--config', '/b.yaml'], { files: { '/b.yaml': first.stdout } })
  assert.equal(second.code, 0)
  assert.equal(second.stdout.replace('/b.yaml', '/a.yaml'), first.stdout)
})

test('check: extra-headers values are masked, skipped exporters and warnings are listed', async () => {
  const yaml = `exporters:
  - protocol: prometheus
    enabled: true
    endpoints: [http://prom:9090/api/v1/write]
    data-sources: [flow_metrics.network.1m]
    export-fields: [$tag, $metrics]
    extra-headers: {Authorization: Bearer abc}
  - protocol: zipkin
    enabled: true
`
  const r = await run(['check', '--config', '/p.yaml'], { files: { '/p.yaml': yaml } })
  const reason = 'unknown protocol "zipkin" (supported: kafka, prometheus, stdout, opentelemetry); exporter skipped, as DeepFlow does'
  assert.equal(r.code, 0)
  assert.equal(r.stderr, `warning: exporters[1].protocol: ${reason} (line 8)\n`)
  const doc = YAML.parse(r.stdout)
  assert.deepEqual(doc.exporters[0]['extra-headers'], { Authorization: '******' })
  assert.equal(doc.exporters[0].name, 'prometheus-0')
  assert.deepEqual(doc.skipped, [{ path: 'exporters[1]', reason }])
  assert.deepEqual(doc.warnings, [`exporters[1].protocol: ${reason} (line 8)`])
})

test('check --strict: warnings are errors (exit 2, nothing on stdout); without warnings it passes as check does', async () => {
  const warned = `${KAFKA_YAML}      tag-filter-condition: {type: OR}\n      export-fields: [$tag, $service_info]\n`.replace(
    '      export-fields: [$tag, $metrics]\n',
    '',
  )
  const r = await run(['check', '--strict', '--config', '/w.yaml'], { files: { '/w.yaml': warned } })
  assert.deepEqual(r, {
    code: 2,
    stdout: '',
    stderr: [
      'deepflow-relay: /w.yaml has 2 warnings, and --strict makes them errors:',
      '  ingester.exporters[0].export-fields[1]: unknown export-fields category "$service_info"; did you mean "$tag.service_info"?; ignored, as DeepFlow ignores it (line 18)',
      '  ingester.exporters[0].tag-filter-condition.type: "OR" is neither "and" nor "or" (DeepFlow compares exactly); "and" is used, as DeepFlow does (line 17)',
    ].join('\n') + '\n',
  })
  const lenient = await run(['check', '--config', '/w.yaml'], { files: { '/w.yaml': warned } })
  assert.equal(lenient.code, 0)
  assert.equal(lenient.stderr.split('\n').filter((l) => l.startsWith('warning: ')).length, 2)
  const clean = await run(['check', '--strict', '--config', '/k.yaml'], { files: { '/k.yaml': KAFKA_YAML } })
  assert.deepEqual([clean.code, clean.stderr], [0, ''])
  assert.equal(clean.stdout, (await run(['check', '--config', '/k.yaml'], { files: { '/k.yaml': KAFKA_YAML } })).stdout)
  const misplaced = await run(['--strict'])
  assert.equal(misplaced.code, 2)
  assert.match(misplaced.stderr, /^deepflow-relay: --strict is an option of the check command\n/)
})

test('check --config FILE, invalid: exit 2, stderr lists every problem by path', async () => {
  const r = await run(['check', '--config', '/bad.yaml'], { files: { '/bad.yaml': BAD_YAML } })
  assert.equal(r.code, 2)
  assert.equal(r.stdout, '')
  assert.equal(
    r.stderr,
    [
      'deepflow-relay: /bad.yaml is not valid (2 problems):',
      '  exporters[0].batch-size: expected a positive integer, got "ten" (line 6)',
      `  exporters[0].data-sources[0]: unknown data source "flow_log.l7_flowlog"; did you mean "flow_log.l7_flow_log"? (valid: ${
        DATA_SOURCES.join(', ')
      }) (line 4)`,
    ].join('\n') + '\n',
  )
})

test('check with one problem says "1 problem"', async () => {
  const r = await run(['check', '--config', '/q.yaml'], { files: { '/q.yaml': 'relay:\n  time-zone: Mars/Olympus\n' } })
  assert.deepEqual(r, {
    code: 2,
    stdout: '',
    stderr:
      'deepflow-relay: /q.yaml is not valid (1 problem):\n  relay.time-zone: unknown time zone "Mars/Olympus"; expected UTC or an IANA name such as Asia/Shanghai (line 2)\n',
  })
})

test('check: keys named __proto__ are reported wherever they are, not skipped without a word', async () => {
  const yaml =
    'relay:\n  __proto__: {listen: 0.0.0.0:1}\ningester:\n  exporters:\n    - protocol: stdout\n      enabled: true\n      data-sources: [flow_log.l4_flow_log]\n      export-fields: [$tag]\n      tag-filters: [{__proto__: 1, field-name: ip4_0, operator: "=", field-values: [1.2.3.4]}]\n'
  const r = await run(['check', '--config', '/p.yaml'], { files: { '/p.yaml': yaml } })
  assert.deepEqual(r, {
    code: 2,
    stdout: '',
    stderr: 'deepflow-relay: /p.yaml is not valid (2 problems):\n' +
      '  relay.__proto__: a key named __proto__ is never read; remove it (line 2)\n' +
      '  ingester.exporters[0].tag-filters[0].__proto__: a key named __proto__ is never read; remove it (line 9)\n',
  })
})

test('check with an unreadable file: exit 2 naming --config', async () => {
  const r = await run(['check', '--config', '/missing.yaml'])
  assert.deepEqual(r, {
    code: 2,
    stdout: '',
    stderr:
      "deepflow-relay: /missing.yaml is not valid (1 problem):\n  --config: cannot read /missing.yaml: ENOENT: no such file or directory, open '/missing.yaml'\n",
  })
})

test('running (not check) with an unreadable file also exits 2 before serving', async () => {
  const r = await run(['--config', '/missing.yaml'])
  assert.equal(r.code, 2)
  assert.equal(r.stderr.startsWith('deepflow-relay: /missing.yaml is not valid (1 problem):\n  --config: cannot read /missing.yaml'), true)
})

test('check with relay.universal-tags that is invalid JSON: exit 2 naming relay.universal-tags', async () => {
  const r = await run(['check', '--config', '/c.yaml'], {
    files: { '/c.yaml': 'relay:\n  universal-tags: /tags.json\nexporters: []\n', '/tags.json': '{nope' },
  })
  assert.equal(r.code, 2)
  assert.equal(r.stdout, '')
  assert.equal(
    r.stderr.startsWith('deepflow-relay: /c.yaml is not valid (1 problem):\n  relay.universal-tags: /tags.json: not valid JSON: '),
    true,
    r.stderr,
  )
})

test('check with relay.universal-tags that does not exist: exit 2 naming relay.universal-tags', async () => {
  const r = await run(['check', '--config', '/c.yaml'], { files: { '/c.yaml': 'relay:\n  universal-tags: /tags.json\nexporters: []\n' } })
  assert.deepEqual(r, {
    code: 2,
    stdout: '',
    stderr:
      "deepflow-relay: /c.yaml is not valid (1 problem):\n  relay.universal-tags: cannot read /tags.json: ENOENT: no such file or directory, open '/tags.json'\n",
  })
})

test('check with a valid relay.universal-tags file: exit 0 and the path in the output', async () => {
  const r = await run(['check', '--config', '/c.yaml'], {
    files: { '/c.yaml': 'relay:\n  universal-tags: /tags.json\nexporters: []\n', '/tags.json': '{}' },
  })
  assert.equal(r.code, 0)
  assert.deepEqual(YAML.parse(r.stdout), { relay: { ...DEFAULT_RELAY, 'universal-tags': '/tags.json' }, exporters: [] })
})

test('check --listen bad: exit 2 naming --listen', async () => {
  assert.deepEqual(await run(['check', '--listen', 'bad']), {
    code: 2,
    stdout: '',
    stderr:
      'deepflow-relay: the embedded default is not valid (1 problem):\n  --listen: expected HOST:PORT (e.g. 127.0.0.1:20480 or [::1]:20480), got "bad"\n',
  })
})

test('--listen bad without check: exit 2 before serving', async () => {
  const r = await run(['--listen', 'bad', '--config', '/c.yaml'], { files: { '/c.yaml': 'exporters: []\n' } })
  assert.deepEqual(r, {
    code: 2,
    stdout: '',
    stderr:
      'deepflow-relay: /c.yaml is not valid (1 problem):\n  --listen: expected HOST:PORT (e.g. 127.0.0.1:20480 or [::1]:20480), got "bad"\n',
  })
})

test('check --log-level bad: exit 2 naming --log-level', async () => {
  assert.deepEqual(await run(['check', '--log-level', 'loud']), {
    code: 2,
    stdout: '',
    stderr:
      'deepflow-relay: the embedded default is not valid (1 problem):\n  --log-level: expected one of debug, info, warn, error, got "loud"\n',
  })
})

test('check without a config: the embedded default', async () => {
  const r = await run(['check'])
  assert.equal(r.code, 0)
  assert.equal(r.stderr, '')
  assert.equal(r.stdout.startsWith('# deepflow-relay check: the embedded default is valid; effective configuration:\n'), true)
  const doc = YAML.parse(r.stdout)
  assert.deepEqual(doc.relay, DEFAULT_RELAY)
  assert.equal(doc.exporters.length, 1)
  assert.equal(doc.exporters[0].name, 'stdout-0')
  assert.equal(doc.exporters[0]['data-sources'].length, 12)
  assert.deepEqual(doc.exporters[0]['export-fields'], ['$tag', '$metrics'])
})

test('check --listen and --log-level override the file', async () => {
  const r = await run(['check', '--config', '/c.yaml', '--listen', '[::1]:9000', '--log-level', 'debug'], {
    files: { '/c.yaml': 'relay:\n  listen: 127.0.0.1:1\n  log-level: error\nexporters: []\n' },
  })
  assert.equal(r.code, 0)
  assert.deepEqual(YAML.parse(r.stdout).relay, { ...DEFAULT_RELAY, listen: '[::1]:9000', 'log-level': 'debug' })
})

test('DEEPFLOW_RELAY_CONFIG is the config file of check', async () => {
  const r = await run(['check'], { env: { DEEPFLOW_RELAY_CONFIG: '/env.yaml' }, files: { '/env.yaml': KAFKA_YAML } })
  assert.equal(r.code, 0)
  assert.equal(r.stdout.startsWith('# deepflow-relay check: /env.yaml is valid; effective configuration:\n'), true)
  assert.deepEqual(YAML.parse(r.stdout).exporters, [EFFECTIVE_KAFKA])
})

test('--config wins over DEEPFLOW_RELAY_CONFIG', async () => {
  const r = await run(['check', '--config', '/flag.yaml'], {
    env: { DEEPFLOW_RELAY_CONFIG: '/env.yaml' },
    files: { '/flag.yaml': 'exporters: []\n' },
  })
  assert.equal(r.code, 0)
  assert.equal(r.stdout.startsWith('# deepflow-relay check: /flag.yaml is valid'), true)
})

test('an empty DEEPFLOW_RELAY_CONFIG means the embedded default', async () => {
  const r = await run(['check'], { env: { DEEPFLOW_RELAY_CONFIG: '' } })
  assert.equal(r.code, 0)
  assert.equal(r.stdout.startsWith('# deepflow-relay check: the embedded default is valid'), true)
})

test('DEEPFLOW_RELAY_CONFIG naming an unreadable file: exit 2', async () => {
  const r = await run(['check'], { env: { DEEPFLOW_RELAY_CONFIG: '/nope.yaml' } })
  assert.equal(r.code, 2)
  assert.equal(
    r.stderr,
    "deepflow-relay: /nope.yaml is not valid (1 problem):\n  --config: cannot read /nope.yaml: ENOENT: no such file or directory, open '/nope.yaml'\n",
  )
})

test('DEEPFLOW_RELAY_LISTEN is used by check and wins over relay.listen', async () => {
  const r = await run(['check'], {
    env: { DEEPFLOW_RELAY_CONFIG: '/e.yaml', DEEPFLOW_RELAY_LISTEN: '0.0.0.0:9000' },
    files: { '/e.yaml': 'relay:\n  listen: 127.0.0.1:1\nexporters: []\n' },
  })
  assert.deepEqual(r, {
    code: 0,
    stdout:
      '# deepflow-relay check: /e.yaml is valid; effective configuration:\n# memory budget: unlimited (no relay.memory-limit and no memory cgroup)\nrelay:\n  listen: 0.0.0.0:9000\n  max-body-bytes: 16777216\n  time-zone: UTC\n  shutdown-timeout: 10\n  log-level: info\n  protect-metrics: true\n  overflow: reject\n  max-records-per-request: 100000\n  max-line-bytes: 1048576\n  max-depth: 16\n  max-fields: 1024\n  max-string-bytes: 65536\n  client-timeout: 30\n  memory-soft-limit: 0.8\n  memory-hard-limit: 0.9\nexporters: []\n',
    stderr: '',
  })
})

test('--listen wins over DEEPFLOW_RELAY_LISTEN', async () => {
  const r = await run(['check', '--listen', '10.0.0.1:81'], { env: { DEEPFLOW_RELAY_LISTEN: '0.0.0.0:9000' } })
  assert.equal(r.code, 0)
  assert.equal(YAML.parse(r.stdout).relay.listen, '10.0.0.1:81')
})

test('a bad DEEPFLOW_RELAY_LISTEN: exit 2 naming DEEPFLOW_RELAY_LISTEN', async () => {
  assert.deepEqual(await run(['check'], { env: { DEEPFLOW_RELAY_LISTEN: 'nope' } }), {
    code: 2,
    stdout: '',
    stderr:
      'deepflow-relay: the embedded default is not valid (1 problem):\n  DEEPFLOW_RELAY_LISTEN: expected HOST:PORT (e.g. 127.0.0.1:20480 or [::1]:20480), got "nope"\n',
  })
})

test('an unknown subcommand: exit 2, the error and the usage on stderr', async () => {
  assert.deepEqual(await run(['serve']), {
    code: 2,
    stdout: '',
    stderr: `deepflow-relay: unknown command "serve"; the commands are check, buffer inspect and buffer repair\n\n${USAGE}`,
  })
})

test('check with an extra positional is an unknown command', async () => {
  assert.deepEqual(await run(['check', 'extra']), {
    code: 2,
    stdout: '',
    stderr: `deepflow-relay: unknown command "check extra"; the commands are check, buffer inspect and buffer repair\n\n${USAGE}`,
  })
})

test('an unknown option: exit 2, the parser error and the usage on stderr', async () => {
  const r = await run(['--bogus'])
  assert.equal(r.code, 2)
  assert.equal(r.stdout, '')
  assert.equal(r.stderr.startsWith("deepflow-relay: Unknown option '--bogus'"), true, r.stderr)
  assert.equal(r.stderr.endsWith(`\n\n${USAGE}`), true)
})

test('--config without a value is a usage error', async () => {
  const r = await run(['check', '--config'])
  assert.equal(r.code, 2)
  assert.equal(r.stderr.endsWith(`\n\n${USAGE}`), true)
})
