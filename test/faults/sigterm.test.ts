// SIGTERM during load, on the compiled binary against a real Prometheus: ingest stops (503 or
// refused connections), what was queued is flushed within shutdown-timeout, and every record that
// got a 202 is either stored in Prometheus or counted as dropped (reason shutdown) in the last log.
import test from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isolatedBinary, start } from '../helpers/binary.ts'
import { startPrometheus } from '../../scripts/services/prometheus.ts'

test('SIGTERM under load: every accepted record is stored or counted as dropped at shutdown', { timeout: 60_000 }, async () => {
  const prom = await startPrometheus()
  try {
    const { dir, bin } = isolatedBinary()
    writeFileSync(
      join(dir, 'relay.yaml'),
      `relay:
  shutdown-timeout: 5
exporters:
  - {protocol: prometheus, enabled: true, endpoints: [${prom.writeUrl}], data-sources: [flow_metrics.network.1s], export-fields: [byte_tx, server_port], flush-timeout: 0.2, batch-size: 50}
`,
    )
    const relay = await start(bin, dir, ['--config', 'relay.yaml', '--listen', '127.0.0.1:0'])
    const t = Math.floor(Date.now() / 1000) - 60
    const accepted: number[] = []
    let stopping: Promise<number | null> | undefined
    let closed = 0
    for (let n = 0; n < 100_000 && closed < 5; n++) {
      if (n === 300) stopping = relay.stop('SIGTERM')
      try {
        const res = await fetch(`${relay.url}v1/records/flow_metrics.network.1s`, {
          method: 'POST',
          body: JSON.stringify({ time: t, byte_tx: n, server_port: n }),
        })
        if (res.status === 202) accepted.push(n)
        else {
          assert.equal(res.status, 503)
          closed++
        }
      } catch {
        closed++
      }
    }
    assert.equal(await stopping, 0)
    const logs = relay.stderr().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; dropped?: { records: number }[] })
    const dropped = logs.find((l) =>
      l.msg === 'records left unsent at shutdown (counted as dropped, reason shutdown)'
    )?.dropped?.[0]?.records ?? 0
    const stored = await prom.query('count(byte_tx)', t)
    const count = stored.length === 0 ? 0 : Number(stored[0]!.value[1])
    console.log(`SIGTERM under load: ${accepted.length} accepted, ${count} stored, ${dropped} dropped at shutdown`)
    assert.ok(accepted.length >= 300)
    assert.equal(count + dropped, accepted.length)
    assert.equal(logs.at(-1)!.msg, 'stopped')
  } finally {
    await prom.stop()
  }
})
