// At least once across a broker restart: records stream in continuously, the broker is stopped for
// 15 s and started again, and every record that got a 202 is read back (duplicates allowed, counted).
import test, { after } from 'node:test'
import assert from 'node:assert/strict'
import { createRealClock, until } from '../../helpers/manual-clock.ts'
import { startHarness } from '../../helpers/relay-harness.ts'
import { startKafka } from '../../../scripts/services/kafka.ts'

const broker = await startKafka()
after(() => broker.destroy())

test('every accepted record arrives after the broker is down for 15 s (duplicates allowed, counted)', { timeout: 180_000 }, async () => {
  const h = await startHarness(
    `exporters:
  - {protocol: kafka, enabled: true, name: k, endpoints: [${broker.plaintext}], data-sources: [flow_metrics.network.1s], export-fields: [$tag, $metrics], topic: restart, flush-timeout: 0.05, request-timeout: 5}
`,
    { clock: createRealClock() },
  )
  const accepted: number[] = []
  let refused = 0
  let n = 0
  const post = async () => {
    n++
    const res = await h.post('flow_metrics.network.1s', JSON.stringify({ time: n, byte_tx: n }))
    if (res.status === 202) accepted.push(n)
    else if (res.status === 429) refused++
    else assert.fail(`unexpected status ${res.status}`)
  }
  const streamFor = async (ms: number) => {
    const end = Date.now() + ms
    while (Date.now() < end) {
      await post()
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  await streamFor(3000)
  await broker.stop()
  await streamFor(15_000)
  await broker.start()
  await streamFor(3000)
  await until(() => h.metric('deepflow_relay_queue_records{exporter="k"}') === 0, 'the queue drained', 120_000)
  const got = await broker.consume('restart', accepted.length, 60_000)
  const seen = new Map<number, number>()
  for (const m of got) {
    const v = JSON.parse(m.value).byte_tx as number
    seen.set(v, (seen.get(v) ?? 0) + 1)
  }
  const missing = accepted.filter((v) => !seen.has(v))
  const duplicates = [...seen.values()].reduce((d, c) => d + c - 1, 0)
  console.log(
    `broker restart: ${accepted.length} accepted, ${refused} refused (429), ${got.length} read back, ${duplicates} duplicates, ${missing.length} missing`,
  )
  assert.deepEqual(missing, [])
  assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="k",reason="retries_exhausted"}'), 0)
  assert.ok(
    (h.metric('deepflow_relay_kafka_errors_total{exporter="k",kind="connection"}') ?? 0) +
        (h.metric('deepflow_relay_kafka_errors_total{exporter="k",kind="timeout"}') ?? 0) > 0,
  )
  await h.relay.stop()
})
