// Refusing before doing the work: near the memory budget, beyond relay.max-concurrent-requests, and
// into an exporter with no room left, POST /v1/records and POST /api/v1/write answer (503 or 429,
// Retry-After: 1) without reading the body, and count the request by reason.
import test from 'node:test'
import assert from 'node:assert/strict'
import { settle } from '../helpers/manual-clock.ts'
import { startHarness } from '../helpers/relay-harness.ts'

const NET = 'flow_metrics.network.1m'
const MiB = 2 ** 20
const STDOUT = (extra = '') =>
  `exporters:\n  - {protocol: stdout, enabled: true, data-sources: [${NET}], export-fields: [byte_tx], queue-count: 1, queue-size: 2${extra}}\n`
const rec = (n: number) => JSON.stringify({ time: 1715133600, byte_tx: n })

/** A body that says whether anything pulled it, and ends when told. */
function watchedBody(text: string) {
  const state = { pulled: false, end: () => {} }
  const ended = new Promise<void>((resolve) => (state.end = resolve))
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      state.pulled = true
      await ended
      controller.enqueue(new TextEncoder().encode(text))
      controller.close()
    },
  }, { highWaterMark: 0 })
  return { body, state }
}

test('near the memory budget: 503 + Retry-After before the body is read, counted as memory; admitted again once memory falls', async () => {
  const memory = { budget: 100 * MiB, rss: 95 * MiB, gcs: 0 }
  const h = await startHarness(STDOUT(), {
    memory: { budget: memory.budget, residentBytes: () => memory.rss, collectGarbage: () => memory.gcs++, cpuCount: 2 },
  })
  const { body, state } = watchedBody(rec(1))
  const res = await h.post(NET, body, { 'Content-Length': '50' })
  assert.equal(res.status, 503)
  assert.equal(res.headers.get('retry-after'), '1')
  assert.equal(res.headers.get('connection'), 'close', 'the body was not read: the connection is not reused')
  assert.deepEqual(await res.json(), { error: 'the relay is near its memory budget (95 MiB used, hard limit 90 MiB); retry later' })
  assert.equal(state.pulled, false, 'the body was not read')
  assert.equal(memory.gcs, 1, 'a collection was asked for')
  assert.equal(h.metric('deepflow_relay_requests_refused_total{reason="memory"}'), 1)
  assert.equal(h.metric('deepflow_relay_ingest_requests_total{code="503"}'), 1)
  assert.equal(h.metric('deepflow_relay_memory_budget_bytes'), 100 * MiB)
  assert.equal(h.metric('deepflow_relay_memory_used_bytes'), 95 * MiB)
  const rw = await h.relay.app.request('/api/v1/write', {
    method: 'POST',
    body: new Uint8Array([0]),
    headers: { 'Content-Encoding': 'snappy' },
  })
  assert.equal(rw.status, 503)
  assert.equal(h.metric('deepflow_relay_requests_refused_total{reason="memory"}'), 2)
  memory.rss = 40 * MiB
  // A body costs 6 × its declared size while it is handled: 40 MiB + 6 × 6 MiB fits under 80 MiB, 7 MiB does not.
  assert.equal((await h.post(NET, rec(2), { 'Content-Length': String(7 * MiB) })).status, 503)
  // (the declared length is what counts; the harness does not send the bytes it declares)
  assert.equal((await h.post(NET, rec(2), { 'Content-Length': String(rec(2).length) })).status, 202)
  // Without a declared length a body is taken to be max-body-bytes (16 MiB): 96 MiB does not fit.
  assert.equal((await h.post(NET, rec(3))).status, 503)
})

test('relay.max-concurrent-requests: 1; a second request waits for the slot 1 s, then 503 concurrency; a third gets the freed slot', async () => {
  const h = await startHarness(`relay:\n  max-concurrent-requests: 1\n${STDOUT()}`)
  const slow = watchedBody(rec(1))
  const first = h.post(NET, slow.body)
  await settle()
  assert.equal(slow.state.pulled, true, 'the first request holds the slot, reading its body')
  const second = h.post(NET, rec(2))
  await settle()
  await h.clock.advance(1000)
  const refused = await second
  assert.equal(refused.status, 503)
  assert.deepEqual(await refused.json(), { error: '1 requests are being read already (relay.max-concurrent-requests); retry later' })
  assert.equal(h.metric('deepflow_relay_requests_refused_total{reason="concurrency"}'), 1)
  const third = h.post(NET, rec(3))
  await settle()
  slow.state.end()
  assert.equal((await first).status, 202)
  assert.equal((await third).status, 202)
})

test('an exporter of the data source with no room left: 429 before reading; records_refused counts only parsed records', async () => {
  const h = await startHarness(STDOUT())
  h.setWriter(() => new Promise(() => {})) // standard output stalls: nothing leaves the queue
  assert.equal((await h.post(NET, `${rec(1)}\n${rec(2)}`)).status, 202)
  // The queue holds 2 of 2 records: no record can be queued.
  const { body, state } = watchedBody(rec(3))
  const res = await h.post(NET, body)
  assert.equal(res.status, 429)
  assert.equal(res.headers.get('retry-after'), '1')
  assert.deepEqual(await res.json(), { error: 'queues of exporter "stdout-0" are full; retry later' })
  assert.equal(state.pulled, false)
  assert.equal(h.metric('deepflow_relay_requests_refused_total{reason="queue_full"}'), 1)
  assert.equal(h.metric(`deepflow_relay_records_refused_total{data_source="${NET}"}`), 0)
  // A data source no full exporter takes is not refused.
  assert.equal((await h.post('flow_log.l7_flow_log', '{"time":1715133600}')).status, 202)
})

test('a body the queues lack room for, as the requests of its data source tell: 429 before reading it; one that fits is read', async () => {
  const h = await startHarness(
    `exporters:\n  - {protocol: stdout, enabled: true, data-sources: [${NET}], export-fields: [byte_tx], queue-count: 1, queue-max-bytes: 4000}\n`,
  )
  h.setWriter(() => new Promise(() => {})) // standard output stalls: nothing leaves the queue
  const body = (from: number, n: number) => Array.from({ length: n }, (_, i) => rec(from + i)).join('\n')
  const first = body(100, 10)
  assert.equal((await h.post(NET, first, { 'Content-Length': String(first.length) })).status, 202)
  const held = h.metric('deepflow_relay_queue_bytes{exporter="stdout-0"}')!
  const ratio = held / first.length // the first body was staged in full: its bytes queued per byte
  // 40 records: about four times what the first took, more than the room left.
  const big = body(200, 40)
  const { body: stream, state } = watchedBody(big)
  const res = await h.post(NET, stream, { 'Content-Length': String(big.length) })
  assert.equal(res.status, 429)
  assert.equal(res.headers.get('retry-after'), '1')
  const expected = Math.floor(ratio * big.length * 0.9)
  assert.ok(expected > 4000 - held && expected < 4000)
  assert.deepEqual(await res.json(), {
    error: `queues of exporter "stdout-0" have ${4000 - held} bytes of room; a body like this one takes about ${expected}; retry later`,
  })
  assert.equal(state.pulled, false, 'the body was not read')
  assert.equal(h.metric('deepflow_relay_requests_refused_total{reason="queue_full"}'), 1)
  assert.equal(h.metric(`deepflow_relay_records_refused_total{data_source="${NET}"}`), 0)
  // 5 records fit in the room: read, staged, accepted.
  const small = body(300, 5)
  assert.equal((await h.post(NET, small, { 'Content-Length': String(small.length) })).status, 202)
  // Without a declared length nothing is guessed: the body is read, and refused once staged.
  assert.equal((await h.post(NET, big)).status, 429)
  assert.equal(h.metric('deepflow_relay_requests_refused_total{reason="queue_full"}'), 1)
  assert.equal(h.metric(`deepflow_relay_records_refused_total{data_source="${NET}"}`), 40)
})

test('a body guessed larger than the queues can ever hold is read, for its 413 to say so', async () => {
  const h = await startHarness(
    `exporters:\n  - {protocol: stdout, enabled: true, data-sources: [${NET}], export-fields: [byte_tx], queue-count: 1, batch-size: 1, queue-max-bytes: 400}\n`,
  )
  const first = rec(1)
  assert.equal((await h.post(NET, first, { 'Content-Length': String(first.length) })).status, 202)
  await settle()
  assert.equal(h.lines().length, 1, 'delivered: the queue is empty')
  const huge = Array.from({ length: 40 }, (_, i) => rec(i)).join('\n')
  const res = await h.post(NET, huge, { 'Content-Length': String(huge.length) })
  assert.equal(res.status, 413)
  assert.equal(h.metric('deepflow_relay_requests_refused_total{reason="queue_full"}'), 0)
})

test('a body declared larger than max-body-bytes still gets its 413, whatever the memory', async () => {
  const h = await startHarness(`relay:\n  max-body-bytes: 100\n${STDOUT()}`, {
    memory: { budget: 100 * MiB, residentBytes: () => 99 * MiB, collectGarbage: () => {}, cpuCount: 2 },
  })
  const res = await h.post(NET, 'x'.repeat(200), { 'Content-Length': '200' })
  assert.equal(res.status, 413)
  assert.equal(h.metric('deepflow_relay_requests_refused_total{reason="memory"}'), 0)
})
