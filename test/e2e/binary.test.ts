// The compiled binary (npm run build → dist/deepflow-relay), copied into an empty directory and
// run with no node_modules: curl-like posts in, DeepFlow Kafka JSON lines out on stdout.
import test from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isolatedBinary, start } from '../helpers/binary.ts'

const L7 = {
  time: 1715133600,
  _id: '7376470921311012345',
  l7_protocol: 20,
  version: '1.1',
  type: 0,
  request_type: 'GET',
  request_domain: 'reviews:9080',
  endpoint: '/reviews/0',
  response_status: 0,
  response_code: 200,
  ip4_0: '10.1.2.3',
  ip4_1: '10.1.2.4',
  is_ipv4: true,
  protocol: 6,
  server_port: 9080,
  flow_id: 'FLOW_ID',
  agent_id: 7,
  pod_id_0: 153,
  l3_device_type_0: 10,
  l3_device_id_0: 153,
  observation_point: 'c-p',
  start_time: 1715133600120000,
  end_time: 1715133600123512,
  request_resource: 'say "hi"\n',
}
// flow_id goes on the wire as a bare JSON number above 2^53, as DeepFlow senders write it.
const L7_BODY = JSON.stringify(L7).replace('"FLOW_ID"', '7376470921311000001')
const L7_LINE =
  '{"datasource":"flow_log.l7_flow_log","_id":7376470921311012345,"l7_protocol":"HTTP","version":"1.1","type":"Request","request_type":"GET","request_domain":"reviews:9080","request_resource":"say \\"hi\\"\\n","end_point":"/reviews/0","response_status":"Success","response_code":200,"time":1715133600,"ip4_0":"10.1.2.3","ip4_1":"10.1.2.4","is_ipv4":1,"protocol":"TCP","server_port":9080,"flow_id":7376470921311000001,"observation_point":"Client Process","agent":"node-1-V3","start_time":1715133600120000,"end_time":1715133600123512,"l3_device_type_0":"pod","l3_device_0":"productpage-v1-7f9c","pod_0":"productpage-v1-7f9c","time_str":"2024-05-08 02:00:00.123512 +0000 UTC"}'

test('the binary runs from an empty directory and prints the exact DeepFlow Kafka JSON line', async () => {
  const { dir, bin } = isolatedBinary()
  writeFileSync(
    join(dir, 'tags.json'),
    JSON.stringify({ agent: { 7: 'node-1-V3' }, pod: { 153: 'productpage-v1-7f9c' }, device: { '10:153': 'productpage-v1-7f9c' } }),
  )
  writeFileSync(
    join(dir, 'relay.yaml'),
    `relay:
  universal-tags: tags.json
exporters:
  - protocol: stdout
    enabled: true
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag, $metrics]
    flush-timeout: 0.05
`,
  )
  const relay = await start(bin, dir, ['--config', 'relay.yaml', '--listen', '127.0.0.1:0'])
  const res = await fetch(`${relay.url}v1/records/flow_log.l7_flow_log`, { method: 'POST', body: L7_BODY })
  assert.equal(res.status, 202)
  for (let i = 0; i < 200 && relay.stdout() === ''; i++) await new Promise((r) => setTimeout(r, 10))
  assert.equal(relay.stdout(), `${L7_LINE}\n`)
  assert.equal(await relay.stop(), 0)
  const logs = relay.stderr().trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string })
  assert.ok(logs.every((l) => typeof l.level === 'string'))
  assert.equal(logs.at(-1)!.msg, 'stopped')
})

test('with no config the binary starts on its embedded default and survives malformed input', async () => {
  const { dir, bin } = isolatedBinary()
  const relay = await start(bin, dir, ['--listen', '127.0.0.1:0'])
  const post = (ds: string, body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${relay.url}v1/records/${ds}`, { method: 'POST', body, headers })
  assert.equal((await post('flow_metrics.network.1m', '{"time": 17151')).status, 400)
  assert.equal((await post('flow_metrics.network.1m', new Uint8Array([0xc3, 0x28]))).status, 400)
  assert.equal((await post('nope', '{}')).status, 404)
  assert.equal((await post('flow_metrics.network.1m', '{}', { 'Content-Encoding': 'zstd' })).status, 415)
  assert.equal((await post('flow_metrics.network.1m', 'x'.repeat(17 * 1024 * 1024))).status, 413)
  assert.equal((await fetch(`${relay.url}healthz`)).status, 200)
  // The start-up markers: ms since exec at each phase, in order (how ready time is profiled).
  const started = JSON.parse(relay.stderr().split('\n').find((l) => l.includes('"msg":"deepflow-relay started"'))!)
  const marks = started.startup_ms as Record<string, number>
  assert.deepEqual(Object.keys(marks), ['modules', 'config', 'relay', 'start', 'listen'])
  const at = Object.values(marks)
  assert.ok(at[0]! > 0 && at.every((t, i) => i === 0 || t >= at[i - 1]!), JSON.stringify(marks))
  const res = await post('flow_metrics.network.1m', '{"time":1715133600,"byte_tx":1,"ip4":"10.1.2.3"}')
  assert.equal(res.status, 202)
  assert.equal(await relay.stop('SIGINT'), 0)
  assert.equal(
    relay.stdout(),
    '{"datasource":"flow_metrics.network.1m","time":1715133600,"byte_tx":1,"ip4":"10.1.2.3","time_str":"2024-05-08 02:00:00 +0000 UTC"}\n',
  )
})

test('binary check exits 2 listing every problem by YAML path, 0 for a valid file', () => {
  const { dir, bin } = isolatedBinary()
  writeFileSync(
    join(dir, 'bad.yaml'),
    `ingester:
  exporters:
    - protocol: kafka
      enabled: true
      endpoints: [127.0.0.1:9092]
      data-sources: [flow_log.l7_flow_log]
      export-fields: [$tag]
    - protocol: kafka
      enabled: true
      endpoints: [127.0.0.1:9092]
      data-sources: [flow_log.l7_flow_log]
      batch-size: ten
      export-fields: []
`,
  )
  const bad = spawnSync(bin, ['check', '--config', 'bad.yaml'], { cwd: dir, encoding: 'utf8' })
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /^ {2}ingester\.exporters\[1\]\.batch-size: expected a positive integer, got "ten" \(line 12\)$/m)
  assert.match(
    bad.stderr,
    /^ {2}ingester\.exporters\[1\]\.export-fields: missing or empty; list what to export, e\.g\. export-fields: \[\$tag, \$metrics\]/m,
  )
  writeFileSync(
    join(dir, 'good.yaml'),
    'exporters:\n  - {protocol: stdout, enabled: true, data-sources: [event.file_event], export-fields: [$tag]}\n',
  )
  const good = spawnSync(bin, ['check', '--config', 'good.yaml'], { cwd: dir, encoding: 'utf8' })
  assert.equal(good.status, 0, good.stderr)
  assert.match(good.stdout, /^# deepflow-relay check: good\.yaml is valid/)
  assert.match(good.stdout, /queue-count: 4\n/)
})

test("the binary sends remote write to a real Prometheus (the Bun adapter's HTTP client)", async () => {
  const { startPrometheus } = await import('../../scripts/services/prometheus.ts')
  const prom = await startPrometheus()
  try {
    const { dir, bin } = isolatedBinary()
    writeFileSync(
      join(dir, 'relay.yaml'),
      `exporters:
  - protocol: prometheus
    enabled: true
    endpoints: [${prom.writeUrl}]
    data-sources: [flow_metrics.application.1m]
    export-fields: [$tag, $metrics]
    flush-timeout: 0.05
`,
    )
    const relay = await start(bin, dir, ['--config', 'relay.yaml', '--listen', '127.0.0.1:0'])
    const t = Math.floor(Date.now() / 60_000) * 60 - 60
    const res = await fetch(`${relay.url}v1/records/flow_metrics.application.1m`, {
      method: 'POST',
      body: JSON.stringify({ time: t, request: 7, l7_protocol: 20, app_service: 'e2e' }),
    })
    assert.equal(res.status, 202)
    let stored: Awaited<ReturnType<typeof prom.query>> = []
    for (let i = 0; i < 100 && stored.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20))
      stored = await prom.query('request{app_service="e2e"}', t)
    }
    assert.deepEqual(stored.map((s) => s.metric), [{
      __name__: 'request',
      app_service: 'e2e',
      datasource: 'flow_metrics.application.1m',
      l7_protocol: 'HTTP',
    }])
    assert.equal(stored[0]!.value[1], '7')
    assert.equal(await relay.stop(), 0)
  } finally {
    await prom.stop()
  }
})
