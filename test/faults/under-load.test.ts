// Faults under continuous load, asserted from the receiver's side: every record that got a 202
// arrived, or was counted as dropped with a reason when a configured bound ran out.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createRealClock, until } from '../helpers/manual-clock.ts'
import { type Harness, startHarness } from '../helpers/relay-harness.ts'
import { type Receiver, seriesText, startReceiver } from '../helpers/rw-receiver.ts'

const DS = 'flow_metrics.network.1s'
const exporter = (endpoints: string[], extra = '') =>
  `exporters:
  - {protocol: prometheus, enabled: true, name: rw, endpoints: [${
    endpoints.join(', ')
  }], data-sources: [${DS}], export-fields: [byte_tx], queue-count: 2, flush-timeout: 0.05, batch-size: 20${extra}}
`

/** Posts one record every `everyMs` for `ms`; returns the byte_tx values that got a 202 and the 429 count. */
async function stream(
  h: Harness,
  ms: number,
  everyMs: number,
  from: number,
): Promise<{ accepted: number[]; refused: number; next: number }> {
  const accepted: number[] = []
  let refused = 0
  let n = from
  const end = Date.now() + ms
  while (Date.now() < end) {
    const res = await h.post(DS, JSON.stringify({ time: 1715133600 + n, byte_tx: n }))
    if (res.status === 202) accepted.push(n)
    else if (res.status === 429) refused++
    else assert.fail(`unexpected ${res.status}`)
    n++
    await new Promise((r) => setTimeout(r, everyMs))
  }
  return { accepted, refused, next: n }
}

const values = (receivers: Receiver[]) =>
  receivers.flatMap((r) => r.requests.filter((q) => q.status === 204).flatMap((q) => seriesText(q.series)))
    .map((l) => Number(/ (\d+) @/.exec(l)![1]))

test('a sink answering slowly: backpressure (429) instead of loss; every accepted record arrives once', { timeout: 60_000 }, async () => {
  const r = await startReceiver()
  r.setFallback({ status: 204, delayMs: 250 })
  try {
    const h = await startHarness(exporter([r.url], ', queue-size: 30'), { clock: createRealClock() })
    const { accepted, refused } = await stream(h, 4000, 5, 0)
    assert.ok(refused > 0, 'the slow sink made the queues fill')
    await until(() => h.metric('deepflow_relay_queue_records{exporter="rw"}') === 0, 'drained', 30_000)
    assert.deepEqual(values([r]).sort((a, b) => a - b), accepted)
    await h.relay.stop()
  } finally {
    await r.close()
  }
})

test('one of two endpoints dies mid-run: the batches fail over, every accepted record arrives', { timeout: 60_000 }, async () => {
  const a = await startReceiver()
  const b = await startReceiver()
  try {
    // random() = 0.5 keeps the endpoint order [a, b]: a is in use when it dies.
    const h = await startHarness(exporter([a.url, b.url]), { clock: createRealClock(() => 0.5) })
    const first = await stream(h, 1500, 5, 0)
    assert.ok(a.requests.length > 0 && b.requests.length === 0, 'a took the traffic')
    await a.close()
    const second = await stream(h, 1500, 5, first.next)
    await until(() => h.metric('deepflow_relay_queue_records{exporter="rw"}') === 0, 'drained', 30_000)
    const got = values([a, b])
    const accepted = [...first.accepted, ...second.accepted]
    assert.deepEqual([...new Set(got)].sort((x, y) => x - y), accepted)
    console.log(
      `endpoint death: ${accepted.length} accepted, ${got.length - new Set(got).size} duplicates, ${
        h.metric('deepflow_relay_endpoint_failovers_total{exporter="rw"}')
      } failovers`,
    )
    assert.ok(b.requests.length > 0)
    assert.ok(h.metric('deepflow_relay_endpoint_failovers_total{exporter="rw"}')! >= 1)
    await h.relay.stop()
  } finally {
    await b.close()
  }
})
