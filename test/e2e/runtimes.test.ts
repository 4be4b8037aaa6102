// The same config and the same posted records give byte-identical stdout JSON lines and identical
// remote-write series from the compiled binary, from `bun run` and from `deno task start`.
import test from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isolatedBinary, type Running, start } from '../helpers/binary.ts'
import { seriesText, startReceiver } from '../helpers/rw-receiver.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN_DIR = join(ROOT, 'node_modules', '.bin')

const RECORDS: [string, string][] = [
  [
    'flow_log.l7_flow_log',
    JSON.stringify({
      time: 1715133600,
      end_time: 1715133600123512,
      _id: 'ID',
      l7_protocol: 20,
      request_resource: 'say "hi"\n\u0001😀',
      ip4_0: '10.1.2.3',
      pod_id_0: 153,
      agent_id: 7,
      l3_device_type_0: 10,
      ip6_1: '2001:DB8::1',
      attribute_names: ['a"b'],
    }).replace('"ID"', '18446744073709551615'),
  ],
  [
    'flow_metrics.application_map.1m',
    '{"time":1715133600,"request":12,"rrt_max":830,"ip4":"10.1.2.3","ip4_1":"10.1.2.4","l7_protocol":21,"pod_id_1":153,"observation_point":"s-p"}\n{"time":1715133660,"request":0,"ip4":"10.1.2.3"}',
  ],
  [
    'event.file_event',
    '{"time":1715133600,"end_time":1715133600500000,"event_type":"write","file_name":"/tmp/x","gprocess_id":77,"bytes":4096}',
  ],
]

function config(rwUrl: string): string {
  return `relay:
  universal-tags: ${join(ROOT, 'test', 'e2e', 'fixtures', 'tags.json')}
  time-zone: Asia/Shanghai
exporters:
  - {protocol: stdout, enabled: true, data-sources: [flow_log.l7_flow_log, flow_metrics.application_map.1m, event.file_event], export-fields: [$tag, $metrics, $k8s.label], queue-count: 1, flush-timeout: 0.05}
  - {protocol: prometheus, enabled: true, endpoints: [${rwUrl}], data-sources: [flow_metrics.application_map.1m], export-fields: [$tag, $metrics], queue-count: 1, flush-timeout: 0.05}
`
}

async function runOne(kind: 'binary' | 'bun' | 'deno'): Promise<{ stdout: string; series: string[] }> {
  const receiver = await startReceiver()
  const dir = kind === 'binary' ? isolatedBinary().dir : mkdtempSync(join(tmpdir(), `deepflow-relay-${kind}-`))
  const cfg = join(dir, 'relay.yaml')
  writeFileSync(cfg, config(receiver.url))
  const args = ['--config', cfg, '--listen', '127.0.0.1:0']
  const env = { PATH: `${BIN_DIR}:/usr/bin:/bin` }
  let relay: Running
  if (kind === 'binary') relay = await start(join(dir, 'deepflow-relay'), dir, args, env)
  else if (kind === 'bun') relay = await start(join(BIN_DIR, 'bun'), ROOT, ['src/entry/bun.ts', ...args], env)
  else relay = await start(join(BIN_DIR, 'deno'), ROOT, ['task', '--quiet', 'start', ...args], env)
  try {
    for (const [ds, body] of RECORDS) {
      const res = await fetch(`${relay.url}v1/records/${ds}`, { method: 'POST', body })
      assert.equal(res.status, 202, `${kind} ${ds}: ${await res.text()}`)
    }
    for (let i = 0; i < 200 && (relay.stdout().split('\n').length < 5 || receiver.requests.length === 0); i++) {
      await new Promise((r) => setTimeout(r, 20))
    }
    assert.equal(await relay.stop(), 0, `${kind} exit code`)
    return { stdout: relay.stdout(), series: seriesText(receiver.requests.flatMap((q) => q.series)) }
  } finally {
    await receiver.close()
  }
}

test('binary, bun run and deno task start give the same bytes', { timeout: 120_000 }, async () => {
  const binary = await runOne('binary')
  const bun = await runOne('bun')
  const deno = await runOne('deno')
  assert.equal(binary.stdout.split('\n').filter((l) => l !== '').length, 4)
  assert.match(binary.stdout, /"_id":18446744073709551615,/)
  assert.match(binary.stdout, /\+0800 CST"/)
  assert.equal(binary.series.length, 3)
  assert.equal(bun.stdout, binary.stdout)
  assert.equal(deno.stdout, binary.stdout)
  assert.deepEqual(bun.series, binary.series)
  assert.deepEqual(deno.series, binary.series)
})
