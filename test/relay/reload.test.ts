// SIGHUP reload: unchanged exporters keep their queues and in-flight batches; changed ones drain to
// their old endpoints while new records go to the new ones; an invalid new config changes nothing.
import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config-file/load.ts'
import { reloadConfig } from '../../src/main.ts'
import { until } from '../helpers/manual-clock.ts'
import { createFakeRuntime } from '../helpers/fake-runtime.ts'
import { startHarness } from '../helpers/relay-harness.ts'
import { seriesText, startReceiver } from '../helpers/rw-receiver.ts'
import { createLogger } from '../../src/observe/log.ts'

const DS = 'flow_metrics.network.1m'
const rec = (n: number) => JSON.stringify({ time: 1715133600 + n, byte_tx: n })
const line = (n: number) => `byte_tx{datasource="${DS}"} ${n} @${(1715133600 + n) * 1000}`
const yaml = (keepUrl: string, changeUrl: string) =>
  `exporters:
  - {protocol: prometheus, enabled: true, name: keep, endpoints: [${keepUrl}], data-sources: [${DS}], export-fields: [byte_tx], queue-count: 1, request-timeout: 60}
  - {protocol: prometheus, enabled: true, name: change, endpoints: [${changeUrl}], data-sources: [${DS}], export-fields: [byte_tx], queue-count: 1, request-timeout: 60}
`

test('reload keeps unchanged exporters with their queues; a changed one drains to its old endpoint first', async () => {
  const keep = await startReceiver()
  const oldEndpoint = await startReceiver()
  const newEndpoint = await startReceiver()
  try {
    const h = await startHarness(yaml(keep.url, oldEndpoint.url))
    const down = Array.from({ length: 40 }, () => ({ status: 503 }))
    keep.script(...down)
    oldEndpoint.script(...down)
    for (const n of [1, 2]) assert.equal((await h.post(DS, rec(n))).status, 202)
    await h.clock.advance(1000)
    await until(() => keep.requests.length >= 1 && oldEndpoint.requests.length >= 1, 'both failing')
    const keptExporter = h.relay.exporters.find((e) => e.config.name === 'keep')
    const result = await h.relay.reload(parseConfig(yaml(keep.url, newEndpoint.url), 'test.yaml'))
    assert.deepEqual(result, { kept: ['keep'], replaced: ['change'], added: [], removed: [], needRestart: [] })
    assert.equal(h.relay.exporters.find((e) => e.config.name === 'keep'), keptExporter)
    assert.equal(h.metric('deepflow_relay_queue_records{exporter="keep"}'), 2)
    assert.equal((await h.post(DS, rec(3))).status, 202)
    keep.script()
    oldEndpoint.script()
    for (
      let i = 0;
      i < 30 &&
      (keep.requests.filter((q) => q.status === 204).length === 0 || newEndpoint.requests.length === 0 ||
        oldEndpoint.requests.filter((q) => q.status === 204).length === 0);
      i++
    ) {
      await h.clock.advance(1000)
      await new Promise((r) => setTimeout(r, 10))
    }
    const ok = (r: typeof keep) => seriesText(r.requests.filter((q) => q.status === 204).flatMap((q) => q.series))
    assert.deepEqual(ok(keep), [line(1), line(2), line(3)])
    assert.deepEqual(ok(oldEndpoint), [line(1), line(2)])
    assert.deepEqual(ok(newEndpoint), [line(3)])
  } finally {
    await keep.close()
    await oldEndpoint.close()
    await newEndpoint.close()
  }
})

test('an invalid new config is refused with its problems logged, and the running one stays', async () => {
  const h = await startHarness(yaml('http://127.0.0.1:1/a', 'http://127.0.0.1:1/b'))
  const before = h.relay.exporters
  const logs: Record<string, unknown>[] = []
  const log = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>), now: () => 0, level: 'info' })
  const runtime = createFakeRuntime({
    args: [],
    files: {
      '/relay.yaml':
        'exporters:\n  - {protocol: prometheus, enabled: true, endpoints: [http://h/w], data-sources: [nope], export-fields: [$metrics], batch-size: ten}\n',
    },
  })
  await reloadConfig(runtime, '/relay.yaml', {}, h.relay, log)
  assert.equal(h.relay.exporters, before)
  assert.equal(logs[0]!.msg, 'config reload refused; the running config stays')
  assert.deepEqual(logs[0]!.problems, [
    'exporters[0].batch-size: expected a positive integer, got "ten" (line 2)',
    'exporters[0].data-sources[0]: unknown data source "nope" (valid: flow_log.l7_flow_log, flow_log.l4_flow_log, flow_metrics.network.1m, flow_metrics.network.1s, flow_metrics.network_map.1m, flow_metrics.network_map.1s, flow_metrics.application.1m, flow_metrics.application.1s, flow_metrics.application_map.1m, flow_metrics.application_map.1s, event.file_event, event.perf_event) (line 2)',
  ])
  await reloadConfig(runtime, null, {}, h.relay, log)
  assert.equal(logs[1]!.msg, 'SIGHUP: the relay runs on its embedded default; there is no config file to reload')
})

test('relay settings that only apply at a restart are reported', async () => {
  const h = await startHarness(`relay:\n  listen: 127.0.0.1:1\n${yaml('http://127.0.0.1:1/a', 'http://127.0.0.1:1/b')}`)
  const result = await h.relay.reload(
    parseConfig(
      `relay:\n  listen: 127.0.0.1:2\n  overflow: drop-oldest\n${yaml('http://127.0.0.1:1/a', 'http://127.0.0.1:1/b')}`,
      'test.yaml',
    ),
  )
  assert.deepEqual(result, { kept: ['keep', 'change'], replaced: [], added: [], removed: [], needRestart: ['listen', 'overflow'] })
})

test('a reloaded config\'s warnings are logged after "config reloaded" and replace the old ones in /v1/status', async () => {
  const h = await startHarness(yaml('http://127.0.0.1:1/a', 'http://127.0.0.1:1/b'))
  const status = async () => (await (await h.relay.app.request('/v1/status')).json() as { warnings: string[] }).warnings
  assert.deepEqual(await status(), [])
  const logs: Record<string, unknown>[] = []
  const log = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>), now: () => 0, level: 'info' })
  const runtime = createFakeRuntime({
    args: [],
    files: {
      '/relay.yaml': `exporters:\n  - {protocol: zipkin, enabled: true}\n${
        yaml('http://127.0.0.1:1/a', 'http://127.0.0.1:1/b').slice('exporters:\n'.length)
      }`,
    },
  })
  await reloadConfig(runtime, '/relay.yaml', {}, h.relay, log)
  const warning =
    'exporters[0].protocol: unknown protocol "zipkin" (supported: kafka, prometheus, stdout, opentelemetry); exporter skipped, as DeepFlow does (line 2)'
  assert.deepEqual(logs.map((l) => [l.level, l.msg]), [['info', 'config reloaded'], ['warn', warning]])
  assert.deepEqual(await status(), [warning])
})

test('a changed exporter with a durable buffer: the old one drains to its old endpoint until the deadline, then the new one takes over its buffer and sends the rest to the new endpoint', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dir = mkdtempSync(join(tmpdir(), 'relay-reload-disk-'))
  const oldEndpoint = await startReceiver()
  const newEndpoint = await startReceiver()
  const diskYaml = (url: string) =>
    `relay:\n  shutdown-timeout: 5\nexporters:\n  - {protocol: prometheus, enabled: true, name: change, endpoints: [${url}], data-sources: [${DS}], export-fields: [byte_tx], queue-count: 1, request-timeout: 60, buffer: {type: disk, path: ${dir}, max-bytes: 8Mi}}\n`
  try {
    const h = await startHarness(diskYaml(oldEndpoint.url))
    oldEndpoint.script(...Array.from({ length: 1000 }, () => ({ status: 503 })))
    for (const n of [1, 2]) assert.equal((await h.post(DS, rec(n))).status, 202)
    await h.clock.advance(1000)
    await until(() => oldEndpoint.requests.length >= 1, 'the old endpoint failing')
    const result = await h.relay.reload(parseConfig(diskYaml(newEndpoint.url), 'test.yaml'))
    assert.deepEqual(result, { kept: [], replaced: ['change'], added: [], removed: [], needRestart: [] })
    // While the old one drains, the buffer is not the new one's yet: a full queue's answer.
    assert.equal((await h.post(DS, rec(3))).status, 429)
    // The old endpoint stays down: at the deadline what is left stays in the buffer (not dropped) ...
    for (let i = 0; i < 40 && h.relay.exporters[0]!.buffer() === null; i++) {
      await h.clock.advance(1000)
      await new Promise((r) => setTimeout(r, 10))
    }
    assert.notEqual(h.relay.exporters[0]!.buffer(), null)
    assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="change",reason="shutdown"}'), 0)
    // ... and the new one sends it to the new endpoint, then what comes next.
    assert.equal(h.metric('deepflow_relay_records_replayed_total{exporter="change"}'), 2)
    assert.equal((await h.post(DS, rec(3))).status, 202)
    for (let i = 0; i < 30 && newEndpoint.requests.filter((q) => q.status === 204).flatMap((q) => q.series).length < 3; i++) {
      await h.clock.advance(1000)
      await new Promise((r) => setTimeout(r, 10))
    }
    assert.deepEqual(seriesText(newEndpoint.requests.filter((q) => q.status === 204).flatMap((q) => q.series)), [line(1), line(2), line(3)])
    assert.deepEqual(oldEndpoint.requests.filter((q) => q.status === 204), [])
    await h.relay.stop()
  } finally {
    await oldEndpoint.close()
    await newEndpoint.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
