// The recipes of examples/ and deploy/: every example config passes `check` (in process through
// main() with cwd = examples/, and with the compiled binary run in examples/), the universal-tag
// dictionary parses, the Grafana dashboard only queries metrics the relay exports, the Kubernetes
// sidecar probes /healthz and /readyz, and the systemd unit runs the relay and reloads it.
// The Dockerfile and the Kubernetes files are never built, run or applied to a cluster here.
import test from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import YAML from 'yaml'
import { main } from '../../src/main.ts'
import { parseConfig } from '../../src/config-file/load.ts'
import { createLogger } from '../../src/observe/log.ts'
import { createRelay } from '../../src/relay/relay.ts'
import { parseDictionary } from '../../src/translate/dictionary.ts'
import { systemClock } from '../../src/util/clock.ts'
import { createFileRuntime } from './file-runtime.ts'

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url))
const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url))
const BINARY = fileURLToPath(new URL('../../dist/deepflow-relay', import.meta.url))

const exampleConfigs = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort()
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8')

/** `deepflow-relay check --config FILE` through main(), relative paths resolved against `cwd`. */
async function check(file: string, cwd: string, files: Record<string, string> = {}) {
  const rt = createFileRuntime({ args: ['check', '--config', file], cwd, files })
  const code = await main(rt)
  return { code, stdout: rt.stdout.join(''), stderr: rt.stderr.join(''), reads: rt.reads }
}

/** Where a command is on PATH (or in /usr/bin, /bin), or undefined. */
function which(command: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/bin', '/usr/bin', '/bin'].filter((d) => d !== '')
  return dirs.map((d) => join(d, command)).find((p) => existsSync(p))
}

test('examples/: the expected recipes exist, each config starts with a comment, the README lists every file', () => {
  for (
    const f of [
      'server-kafka-sasl-ssl.yaml',
      'server-prometheus.yaml',
      'server-stdout.yaml',
      'server-opentelemetry.yaml',
      'kafka-and-prometheus.yaml',
      'universal-tags.yaml',
      'universal-tags.json',
      'clickhouse-source.yaml',
    ]
  ) {
    assert.ok(existsSync(join(EXAMPLES, f)), `examples/${f} is missing`)
  }
  const readme = read(EXAMPLES, 'README.md')
  for (const f of readdirSync(EXAMPLES).filter((f) => f !== 'README.md')) {
    assert.ok(readme.includes(`\`${f}\``), `examples/README.md does not list ${f}`)
  }
  for (const f of exampleConfigs) assert.match(read(EXAMPLES, f), /^# \S/, `examples/${f} must start with a comment saying what it shows`)
})

for (const f of exampleConfigs) {
  test(`examples/${f} passes check (main(), cwd examples/)`, async () => {
    const r = await check(f, EXAMPLES)
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^# deepflow-relay check: ${f.replace('.', '\\.')} is valid`))
    assert.doesNotMatch(r.stdout, /change-me/, 'secrets must be masked in the effective config')
  })
}

test('examples/: the protocols each recipe shows are the ones it claims', () => {
  const protocols = (f: string) => parseConfig(read(EXAMPLES, f), f).exporters.map((e) => e.protocol)
  assert.deepEqual(protocols('server-kafka-sasl-ssl.yaml'), ['kafka'])
  const kafka = parseConfig(read(EXAMPLES, 'server-kafka-sasl-ssl.yaml'), 'x').exporters[0]!
  assert.equal(kafka.sasl?.securityProtocol, 'SASL_SSL')
  assert.deepEqual(protocols('server-prometheus.yaml'), ['prometheus'])
  assert.ok(Object.keys(parseConfig(read(EXAMPLES, 'server-prometheus.yaml'), 'x').exporters[0]!.extraHeaders).length > 0)
  assert.deepEqual(protocols('server-stdout.yaml'), ['stdout'])
  assert.deepEqual(protocols('server-opentelemetry.yaml'), ['opentelemetry'])
  assert.equal(parseConfig(read(EXAMPLES, 'server-opentelemetry.yaml'), 'x').exporters[0]!.endpoints.length, 2)
  assert.deepEqual(protocols('kafka-and-prometheus.yaml').sort(), ['kafka', 'prometheus'])
  for (const f of ['server-kafka-sasl-ssl.yaml', 'server-prometheus.yaml', 'server-stdout.yaml']) {
    assert.ok('ingester' in YAML.parse(read(EXAMPLES, f)), `${f} is a DeepFlow server.yaml (ingester.exporters)`)
  }
  const ch = parseConfig(read(EXAMPLES, 'clickhouse-source.yaml'), 'x')
  assert.equal(ch.sources.length, 1)
  assert.ok(ch.sources[0]!.cursorFile?.startsWith('/var/lib/deepflow-relay/'), 'the cursor file lives in the systemd StateDirectory')
  assert.deepEqual(ch.relay.universalTags, { ...ch.relay.universalTags, kind: 'clickhouse', url: ch.sources[0]!.url })
})

test('examples/universal-tags.yaml reads its dictionary relative to the config file, from any working directory', async () => {
  const r = await check('universal-tags.yaml', EXAMPLES)
  assert.equal(r.code, 0, r.stderr)
  assert.ok(r.reads.includes('universal-tags.json'), `read: ${r.reads.join(', ')}`)
  const elsewhere = await check(join(EXAMPLES, 'universal-tags.yaml'), DEPLOY)
  assert.equal(elsewhere.code, 0, elsewhere.stderr)
  assert.ok(elsewhere.reads.includes(join(EXAMPLES, 'universal-tags.json')), `read: ${elsewhere.reads.join(', ')}`)
  const relative = await check('../examples/universal-tags.yaml', DEPLOY)
  assert.equal(relative.code, 0, relative.stderr)
  assert.ok(relative.reads.includes('../examples/universal-tags.json'), `read: ${relative.reads.join(', ')}`)
})

test('examples/universal-tags.json parses as a universal-tag dictionary', () => {
  const parsed = parseDictionary(read(EXAMPLES, 'universal-tags.json'))
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error)
  assert.equal(parsed.dictionary.name('pod', '153'), 'productpage-v1-7f9c')
  assert.equal(parsed.dictionary.name('agent', '7'), 'node-1-V3')
  assert.equal(parsed.dictionary.name('device', '102:176'), 'reviews')
  assert.deepEqual(parsed.dictionary.k8sLabels('153'), ['app', 'productpage', 'version', 'v1'])
})

test('examples/*.yaml pass check with the compiled binary run in examples/', () => {
  assert.ok(existsSync(BINARY), `${BINARY} is missing: run npm run build (npm test does)`)
  for (const f of exampleConfigs) {
    const r = spawnSync(BINARY, ['check', '--config', f], {
      cwd: EXAMPLES,
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin' },
      timeout: 30_000,
    })
    assert.equal(r.status, 0, `${f}: ${r.stderr}`)
    assert.match(r.stdout, /is valid; effective configuration/)
  }
})

/** Every metric family of the relay's /metrics, from its `# TYPE` lines. */
async function exportedMetrics(): Promise<Map<string, string>> {
  const config = parseConfig(
    `
exporters:
  - {protocol: stdout, enabled: true, data-sources: [flow_log.l7_flow_log], export-fields: [$tag, $metrics]}
  - {protocol: prometheus, enabled: true, endpoints: [http://127.0.0.1:9/api/v1/write], data-sources: [flow_metrics.network.1m], export-fields: [$tag, $metrics]}
  - {protocol: kafka, enabled: true, endpoints: [127.0.0.1:9], data-sources: [flow_log.l7_flow_log], export-fields: [$tag, $metrics]}
sources:
  - clickhouse: {url: http://127.0.0.1:9, data-sources: [flow_log.l7_flow_log], cursor-file: /nonexistent/cursor.json}
`,
    'metrics.yaml',
  )
  const relay = createRelay(config, {
    clock: systemClock,
    log: createLogger({ write: () => {}, now: systemClock.now, level: 'error' }),
    writeStdout: () => Promise.resolve(),
    readTextFile: () => Promise.reject(new Error('no files')),
    fileMtime: () => Promise.resolve(undefined),
    fetch: () => Promise.reject(new Error('no network')),
    writeTextFileAtomic: () => Promise.reject(new Error('no files')),
  })
  try {
    const res = await relay.app.request('/metrics')
    assert.equal(res.status, 200)
    const text = await res.text()
    return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const))
  } finally {
    await relay.stop()
  }
}

test('deploy/grafana-dashboard.json: valid JSON whose queries name only metrics the relay exports', async () => {
  const dashboard = JSON.parse(read(DEPLOY, 'grafana-dashboard.json')) as {
    uid: string
    panels: { id: number; type: string; title: string; gridPos: { x: number; w: number }; targets?: { expr: string; refId: string }[] }[]
    templating: { list: { query?: string | { query: string } }[] }
  }
  const exported = await exportedMetrics()
  assert.ok(exported.size >= 30, `only ${exported.size} metric families rendered`)
  const panels = dashboard.panels.filter((p) => p.type !== 'row')
  assert.equal(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length, 'panel ids are unique')
  const exprs: string[] = []
  for (const p of panels) {
    assert.ok((p.targets ?? []).length > 0, `panel "${p.title}" has no query`)
    assert.ok(p.gridPos.x + p.gridPos.w <= 24, `panel "${p.title}" is wider than the grid`)
    exprs.push(...p.targets!.map((t) => t.expr))
  }
  for (const v of dashboard.templating.list) {
    if (v.query !== undefined) exprs.push(typeof v.query === 'string' ? v.query : v.query.query)
  }
  const named = new Set<string>()
  for (const expr of exprs) {
    for (const [name] of expr.matchAll(/deepflow_relay_[a-z_]+/g)) {
      const family = name.replace(/_(bucket|sum|count)$/, '')
      const type = exported.get(family)
      assert.ok(type !== undefined, `${name} (in ${expr}) is not exported by the relay`)
      if (family !== name) assert.equal(type, 'histogram', `${name}: only histograms have _bucket/_sum/_count series`)
      named.add(family)
    }
  }
  // The panels the dashboard promises: in/out, drops, rejected/refused, queue fill, latency, up,
  // Kafka errors, remote-write status, ClickHouse rows.
  for (
    const m of [
      'records_received_total',
      'records_sent_total',
      'records_dropped_total',
      'records_rejected_total',
      'records_refused_total',
      'queue_records',
      'queue_capacity_records',
      'send_duration_seconds',
      'endpoint_up',
      'exporter_up',
      'kafka_errors_total',
      'remote_write_requests_total',
      'source_rows_total',
    ]
  ) {
    assert.ok(named.has(`deepflow_relay_${m}`), `no panel queries deepflow_relay_${m}`)
  }
  assert.ok(exprs.some((e) => /histogram_quantile\([^,]+, .*deepflow_relay_send_duration_seconds_bucket/.test(e)))
})

const k8sDocs = (file: string) =>
  YAML.parseAllDocuments(read(join(DEPLOY, 'kubernetes'), file)).map((d) => {
    assert.deepEqual(d.errors, [], `${file}: ${d.errors.join('; ')}`)
    // deno-lint-ignore no-explicit-any -- Kubernetes objects, read field by field below
    return d.toJS() as Record<string, any>
  })

test('deploy/kubernetes: valid YAML; the sidecar probes /healthz and /readyz and takes its config and token from the ConfigMap and Secret', async () => {
  const [configMap, secret] = k8sDocs('relay-config.yaml')
  assert.equal(configMap!.kind, 'ConfigMap')
  assert.equal(secret!.kind, 'Secret')
  const [patch] = k8sDocs('sidecar-patch.yaml')
  const pod = patch!.spec.template.spec
  const relay = pod.containers.find((c: { name: string }) => c.name === 'deepflow-relay')
  assert.ok(relay, 'a deepflow-relay container')
  const port = relay.ports.find((p: { containerPort: number }) => p.containerPort === 20480)
  assert.ok(port, 'port 20480')
  assert.equal(relay.livenessProbe.httpGet.path, '/healthz')
  assert.equal(relay.readinessProbe.httpGet.path, '/readyz')
  for (const probe of [relay.livenessProbe, relay.readinessProbe]) assert.ok([port.name, 20480].includes(probe.httpGet.port))
  assert.ok(relay.resources.requests.memory && relay.resources.limits.memory, 'memory requests and limits')

  const token = relay.env.find((e: { name: string }) => e.name === 'DEEPFLOW_RELAY_AUTH_TOKEN')
  assert.equal(token.valueFrom.secretKeyRef.name, secret!.metadata.name)
  assert.ok((secret!.stringData[token.valueFrom.secretKeyRef.key] as string).length >= 16)

  const mount = relay.volumeMounts.find((m: { mountPath: string }) => relay.args.join(' ').includes(`--config ${m.mountPath}/`))
  assert.ok(mount, `--config reads from a mounted volume: ${relay.args.join(' ')}`)
  const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name)
  assert.equal(volume.configMap.name, configMap!.metadata.name)

  // The ConfigMap's relay.yaml passes check, listens where the probes look, and its shutdown
  // fits in the pod's grace period.
  const configFile = relay.args[relay.args.indexOf('--config') + 1] as string
  const key = configFile.slice(mount.mountPath.length + 1)
  const r = await check(configFile, DEPLOY, { [configFile]: configMap!.data[key] })
  assert.equal(r.code, 0, r.stderr)
  const config = parseConfig(configMap!.data[key], configFile)
  assert.equal(config.relay.listen.host, '0.0.0.0', 'the kubelet probes the pod IP')
  assert.equal(config.relay.listen.port, 20480)
  assert.ok(pod.terminationGracePeriodSeconds > config.relay.shutdownTimeout)
})

const kubectl = which('kubectl')
test('deploy/kubernetes/sidecar-patch.yaml merges into a Deployment (kubectl patch --local, no cluster)', {
  skip: kubectl === undefined && 'kubectl is not installed',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'recipes-k8s-'))
  try {
    const deployment = join(dir, 'deployment.yaml')
    writeFileSync(
      deployment,
      YAML.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'deepflow-server', namespace: 'deepflow' },
        spec: {
          selector: { matchLabels: { app: 'deepflow-server' } },
          template: {
            metadata: { labels: { app: 'deepflow-server' } },
            spec: { containers: [{ name: 'deepflow-server', image: 'deepflow-server' }] },
          },
        },
      }),
    )
    const r = spawnSync(kubectl!, [
      'patch',
      '--local',
      '-f',
      deployment,
      '--type',
      'strategic',
      '--patch-file',
      join(DEPLOY, 'kubernetes', 'sidecar-patch.yaml'),
      '-o',
      'json',
    ], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: join(dir, 'none') } })
    assert.equal(r.status, 0, r.stderr)
    const names = (JSON.parse(r.stdout).spec.template.spec.containers as { name: string }[]).map((c) => c.name).sort()
    assert.deepEqual(names, ['deepflow-relay', 'deepflow-server'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

const unit = () => read(DEPLOY, 'deepflow-relay.service')
const directive = (text: string, key: string) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!)

test('deploy/deepflow-relay.service: runs the relay with a config, reloads with SIGHUP, is hardened, stops after the relay', () => {
  const text = unit()
  assert.match(directive(text, 'ExecStart')[0] ?? '', /deepflow-relay --config \S+/)
  assert.match(directive(text, 'ExecReload')[0] ?? '', /kill -HUP \$MAINPID/)
  assert.match(directive(text, 'EnvironmentFile')[0] ?? '', /\S/)
  for (
    const [key, value] of [['DynamicUser', 'yes'], ['ProtectSystem', 'strict'], ['NoNewPrivileges', 'yes'], ['CapabilityBoundingSet', ''], [
      'StateDirectory',
      'deepflow-relay',
    ]] as const
  ) {
    assert.deepEqual(directive(text, key), [value], key)
  }
  assert.match(directive(text, 'RestrictAddressFamilies')[0] ?? '', /AF_INET AF_INET6/)
  assert.match(directive(text, 'MemoryMax')[0] ?? '', /^\d+[KMG]$/)
  // The ClickHouse example's cursor file is under the StateDirectory, the only writable path.
  const cursor = parseConfig(read(EXAMPLES, 'clickhouse-source.yaml'), 'x').sources[0]!.cursorFile!
  assert.ok(cursor.startsWith(`/var/lib/${directive(text, 'StateDirectory')[0]}/`))
  // TimeoutStopSec above every example's shutdown-timeout (the relay flushes, then exits).
  const stop = Number(directive(text, 'TimeoutStopSec')[0])
  for (const f of exampleConfigs) {
    const timeout = parseConfig(read(EXAMPLES, f), f).relay.shutdownTimeout
    assert.ok(stop > timeout, `TimeoutStopSec=${stop} must exceed ${f}'s shutdown-timeout ${timeout}`)
  }
})

const systemdAnalyze = which('systemd-analyze')
test('deploy/deepflow-relay.service: systemd-analyze verify finds nothing to say', {
  skip: systemdAnalyze === undefined && 'systemd-analyze is not installed',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'recipes-systemd-'))
  try {
    // verify also checks that ExecStart's binary exists; the unit names its installed path.
    const file = join(dir, 'deepflow-relay.service')
    writeFileSync(file, unit().replace(/^ExecStart=\S+/m, 'ExecStart=/bin/true'))
    const r = spawnSync(systemdAnalyze!, ['verify', file], { encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.status, 0, r.stderr)
    // Unknown keys and bad values are only warnings (exit 0): any output is a finding.
    assert.equal(`${r.stdout}${r.stderr}`.trim(), '')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('deploy/Dockerfile: read as text only (never built here): the binary, non-root, port 20480, no HEALTHCHECK', () => {
  const text = read(DEPLOY, 'Dockerfile')
  const lines = text.split('\n').filter((l) => !l.startsWith('#'))
  assert.ok(lines.some((l) => /^FROM \S+/.test(l)))
  assert.ok(lines.some((l) => /^COPY .*deepflow-relay \/usr\/local\/bin\/deepflow-relay$/.test(l)))
  assert.ok(lines.some((l) => /^USER (?!0\b|root\b)\S+/.test(l)), 'a non-root USER')
  assert.ok(lines.includes('EXPOSE 20480'))
  assert.ok(!lines.some((l) => /^HEALTHCHECK/.test(l)))
  assert.ok(lines.some((l) => /^ENTRYPOINT \["\/usr\/local\/bin\/deepflow-relay"\]$/.test(l)))
})

test('deploy/README.md says which recipes are tested and which are not', () => {
  const readme = read(DEPLOY, 'README.md')
  for (
    const f of [
      'deepflow-relay.service',
      'Dockerfile',
      'kubernetes/sidecar-patch.yaml',
      'kubernetes/relay-config.yaml',
      'grafana-dashboard.json',
    ]
  ) {
    assert.ok(readme.includes(f), `deploy/README.md does not mention ${f}`)
  }
  assert.match(readme, /not tested/i)
})
