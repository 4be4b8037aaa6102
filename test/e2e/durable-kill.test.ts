// The durable buffer against kill -9: the compiled binary, with a Kafka and a remote-write exporter
// both on `buffer: {type: disk, sync-interval: 0}`, takes continuous load and is killed (SIGKILL) at
// random moments, round after round, on the same buffer directory; a last run drains. Every record
// answered 202 must reach the real Kafka and the real Prometheus at least once; duplicates only for
// what was in flight at a kill, so never more than the replayed records the runs counted.
import test, { after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isolatedBinary, type Running, start } from '../helpers/binary.ts'
import { startKafka } from '../../scripts/services/kafka.ts'
import { startPrometheus } from '../../scripts/services/prometheus.ts'

const [kafka, prom] = await Promise.all([startKafka(), startPrometheus()])
after(async () => {
  await Promise.all([kafka.destroy(), prom.stop()])
})

const ROUNDS = 6
const PER_REQUEST = 20
const DS = 'flow_metrics.network.1m'

const CONFIG = `relay:
  shutdown-timeout: 5
exporters:
  - protocol: kafka
    enabled: true
    name: k
    endpoints: [${kafka.plaintext}]
    topic: durable
    data-sources: [${DS}]
    export-fields: [$tag, $metrics]
    flush-timeout: 0.05
    buffer: {type: disk, path: buffer, sync-interval: 0}
  - protocol: prometheus
    enabled: true
    name: p
    endpoints: [${prom.writeUrl}]
    data-sources: [${DS}]
    export-fields: [$tag, $metrics]
    flush-timeout: 0.05
    buffer: {type: disk, path: buffer, sync-interval: 0}
`

/** A record per id: its ip4 (a series of its own for Prometheus) and byte_tx say which one it is. */
const ip = (id: number) => `10.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}`
const record = (id: number, time: number) => JSON.stringify({ time, ip4: ip(id), byte_tx: id + 1, protocol: 6, server_port: 80 })

/** A small deterministic generator: the kill moments differ round by round, the same every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function metric(relay: Running, name: string): Promise<number> {
  const text = await (await fetch(`${relay.url}metrics`)).text()
  let sum = 0
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  return sum
}

test('kill -9 under load, many times: every record answered 202 reaches Kafka and Prometheus; duplicates only what was replayed', {
  timeout: 240_000,
}, async () => {
  const { dir, bin } = isolatedBinary()
  writeFileSync(join(dir, 'relay.yaml'), CONFIG)
  const random = seeded(1815)
  const acked = new Set<number>()
  let next = 0
  let replayed = 0
  const time = Math.floor(Date.now() / 1000)

  for (let round = 0; round < ROUNDS; round++) {
    const relay = await start(bin, dir, ['--config', 'relay.yaml', '--listen', '127.0.0.1:0'])
    // Replays are read (and counted) before the relay listens.
    replayed += await metric(relay, 'deepflow_relay_records_replayed_total')
    let loading = true
    const load = (async () => {
      while (loading) {
        const ids = Array.from({ length: PER_REQUEST }, () => next++)
        try {
          const r = await fetch(`${relay.url}v1/records/${DS}`, { method: 'POST', body: ids.map((id) => record(id, time)).join('\n') })
          if (r.status === 202) { for (const id of ids) acked.add(id) }
          else await r.body?.cancel()
        } catch {
          // killed mid-request: not answered 202, so not counted
        }
      }
    })()
    await sleep(300 + random() * 1200)
    await relay.stop('SIGKILL')
    loading = false
    await load
  }
  assert.ok(acked.size > ROUNDS * PER_REQUEST, `only ${acked.size} records were accepted`)

  // The last run drains what the killed ones left.
  const relay = await start(bin, dir, ['--config', 'relay.yaml', '--listen', '127.0.0.1:0'])
  replayed += await metric(relay, 'deepflow_relay_records_replayed_total')
  try {
    const wanted = [...acked]
    let messages: string[] = []
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      messages = (await kafka.consume('durable', acked.size, 5_000)).map((m) => m.value)
      const seen = new Set(messages.map((v) => (JSON.parse(v) as { byte_tx: number }).byte_tx - 1))
      if (wanted.every((id) => seen.has(id))) break
      await sleep(500)
    }
    const seen = new Map<number, number>()
    for (const v of messages) {
      const id = (JSON.parse(v) as { byte_tx: number }).byte_tx - 1
      seen.set(id, (seen.get(id) ?? 0) + 1)
    }
    const missing = wanted.filter((id) => !seen.has(id))
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} records answered 202 never reached Kafka`)
    const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0)
    assert.ok(duplicates <= replayed, `${duplicates} duplicates in Kafka, ${replayed} records replayed`)

    let series: Set<string> = new Set()
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      series = new Set((await prom.query('byte_tx', time + 1)).map((s) => s.metric.ip4!))
      if (wanted.every((id) => series.has(ip(id)))) break
      await sleep(500)
    }
    const missingSeries = wanted.filter((id) => !series.has(ip(id)))
    assert.deepEqual(missingSeries.slice(0, 10), [], `${missingSeries.length} records answered 202 never reached Prometheus`)
  } finally {
    assert.equal(await relay.stop(), 0, relay.stderr())
  }
})
