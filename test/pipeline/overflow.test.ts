// relay.overflow under a sink outage: `reject` answers 429 and refuses (never drops); `drop-oldest`
// accepts and evicts the oldest waiting records (DeepFlow's ring buffer), counted as evicted.
import test from 'node:test'
import assert from 'node:assert/strict'
import { settle, until } from '../helpers/manual-clock.ts'
import { type Harness, startHarness, STDOUT_EXPORTER } from '../helpers/relay-harness.ts'
import { seriesText, startReceiver } from '../helpers/rw-receiver.ts'

const NET = 'flow_metrics.network.1m'
const rec = (n: number, ip = '10.0.0.1') => ({ time: 1715133600, byte_tx: n, ip4: ip })
const bytesOf = (line: string) => Number(/"byte_tx":(\d+)/.exec(line)![1])
const ipOf = (line: string) => /"ip4":"([\d.]+)"/.exec(line)![1]
const DROP_OLDEST = 'relay:\n  overflow: drop-oldest\n'
const evicted = (h: Harness, exporter = 'stdout-0') =>
  h.metric(`deepflow_relay_records_dropped_total{exporter="${exporter}",reason="evicted"}`)
const refused = (h: Harness) => h.metric(`deepflow_relay_records_refused_total{data_source="${NET}"}`)
const disk = (): Promise<void> => Promise.reject(new Error('disk full'))

/** A stdout exporter (1 queue of 4, batches of 2) whose writer fails until `restore()`. */
async function outage(mode: 'reject' | 'drop-oldest') {
  const h = await startHarness(
    `${mode === 'drop-oldest' ? DROP_OLDEST : ''}${STDOUT_EXPORTER('queue-count: 1\nqueue-size: 4\nbatch-size: 2\nflush-timeout: 1')}`,
  )
  h.setWriter(disk)
  return {
    h,
    restore: () =>
      h.setWriter((text) => {
        h.stdout.push(text)
        return Promise.resolve()
      }),
  }
}

for (const mode of ['reject', 'drop-oldest'] as const) {
  test(`${mode}: 8 single-record requests into a queue of 4 while standard output fails`, async () => {
    const { h, restore } = await outage(mode)
    const statuses: number[] = []
    for (let i = 1; i <= 8; i++) {
      statuses.push((await h.post(NET, JSON.stringify(rec(i)))).status)
      await settle()
    }
    // 1 and 2 left as a batch (in flight, retrying); 3 and 4 wait; the queue holds 4.
    assert.equal(h.metric('deepflow_relay_queue_records{exporter="stdout-0"}'), 4)
    restore()
    await h.clock.advance(1000)
    await h.clock.advance(1000)
    if (mode === 'reject') {
      assert.deepEqual(statuses, [202, 202, 202, 202, 429, 429, 429, 429])
      // The queue had no room left: the 429s came before the bodies were read (nothing parsed to count as records).
      assert.equal(refused(h), 0)
      assert.equal(h.metric('deepflow_relay_requests_refused_total{reason="queue_full"}'), 4)
      assert.equal(evicted(h), 0)
      assert.deepEqual(h.lines().map(bytesOf), [1, 2, 3, 4])
      assert.equal(h.metric('deepflow_relay_ingest_requests_total{code="429"}'), 4)
    } else {
      assert.deepEqual(statuses, [202, 202, 202, 202, 202, 202, 202, 202])
      assert.equal(refused(h), 0)
      assert.equal(evicted(h), 4)
      // The in-flight batch is never evicted; of the waiting ones the oldest (3..6) went.
      assert.deepEqual(h.lines().map(bytesOf), [1, 2, 7, 8])
      const logs = h.logs.filter((l) => l.msg === 'records dropped' && l.reason === 'evicted')
      assert.equal(logs.length, 1, 'logged once per burst')
      assert.equal(logs[0]!.exporter, 'stdout-0')
    }
    assert.equal(h.metric('deepflow_relay_records_sent_total{exporter="stdout-0"}'), 4)
    assert.equal(h.metric('deepflow_relay_queue_records{exporter="stdout-0"}'), 0)
    for (const reason of ['rejected_by_endpoint', 'retries_exhausted', 'shutdown', 'too_large']) {
      assert.equal(h.metric(`deepflow_relay_records_dropped_total{exporter="stdout-0",reason="${reason}"}`), 0, reason)
    }
  })
}

test("drop-oldest evicts the oldest waiting records, then the request's own oldest when in-flight records take the room", async () => {
  const { h, restore } = await outage('drop-oldest')
  const post = async (ns: number[]) => {
    const res = await h.post(NET, JSON.stringify(ns.map((n) => rec(n))))
    await settle()
    return res.status
  }
  assert.equal(await post([1, 2]), 202) // in flight
  assert.equal(await post([3, 4, 5]), 202) // 2 + 3 > 4: 3 (the oldest waiting) goes
  assert.equal(evicted(h), 1)
  assert.equal(await post([6, 7, 8, 9]), 202) // 4, 5 go, then 6, 7 of this request
  assert.equal(evicted(h), 5)
  // A request larger than a queue can never fit: 413, refused, nothing evicted for it.
  assert.equal(await post([10, 11, 12, 13, 14]), 413)
  assert.equal(refused(h), 5)
  assert.equal(evicted(h), 5)
  assert.equal(h.metric('deepflow_relay_queue_records{exporter="stdout-0"}'), 4)
  restore()
  await h.clock.advance(1000)
  await h.clock.advance(1000)
  assert.deepEqual(h.lines().map(bytesOf), [1, 2, 8, 9])
  assert.equal(h.metric('deepflow_relay_records_sent_total{exporter="stdout-0"}'), 4)
})

test("drop-oldest on queue-max-bytes evicts the exporter's oldest waiting record, whichever queue holds it", async () => {
  // 10.0.0.1 and 10.0.0.2 hash to different queues of 2; every line has the same length.
  const line = `{"datasource":"${NET}","time":1715133600,"byte_tx":11,"ip4":"10.0.0.1","time_str":"2024-05-08 02:00:00 +0000 UTC"}`
  const L = line.length
  const h = await startHarness(
    `${DROP_OLDEST}${STDOUT_EXPORTER(`queue-count: 2\nqueue-size: 100\nqueue-max-bytes: ${4 * L}\nbatch-size: 100\nflush-timeout: 60`)}`,
  )
  const A = '10.0.0.1'
  const B = '10.0.0.2'
  for (const [n, ip] of [[11, A], [12, B], [13, A], [14, B]] as const) {
    assert.equal((await h.post(NET, JSON.stringify(rec(n, ip)))).status, 202)
  }
  assert.equal(h.metric('deepflow_relay_queue_bytes{exporter="stdout-0"}'), 4 * L)
  assert.equal(evicted(h), 0)
  // Into B's queue, but the oldest record is A's 11: it goes, not B's 12.
  assert.equal((await h.post(NET, JSON.stringify(rec(15, B)))).status, 202)
  assert.equal(evicted(h), 1)
  assert.equal((await h.post(NET, JSON.stringify(rec(16, A)))).status, 202)
  assert.equal(evicted(h), 2)
  assert.equal(h.metric('deepflow_relay_queue_bytes{exporter="stdout-0"}'), 4 * L)
  assert.equal(h.metric('deepflow_relay_queue_records{exporter="stdout-0"}'), 4)
  // A request larger than queue-max-bytes alone is still 413.
  assert.equal((await h.post(NET, JSON.stringify([17, 18, 19, 20, 21].map((n) => rec(n, A))))).status, 413)
  assert.equal(refused(h), 5)
  await h.clock.advance(60_000)
  assert.equal(h.stdout.length, 2, 'one batch per queue')
  const lines = h.lines()
  assert.deepEqual(lines.filter((l) => ipOf(l) === A).map(bytesOf), [13, 16])
  assert.deepEqual(lines.filter((l) => ipOf(l) === B).map(bytesOf), [14, 15])
  assert.equal(evicted(h), 2)
})

for (const mode of ['reject', 'drop-oldest'] as const) {
  test(`${mode}: a remote-write receiver answering 503; series evicted are counted as series too`, async () => {
    const r = await startReceiver()
    try {
      const h = await startHarness(`${mode === 'drop-oldest' ? DROP_OLDEST : ''}exporters:
  - protocol: prometheus
    enabled: true
    name: rw
    endpoints: [${r.url}]
    data-sources: [${NET}]
    export-fields: [byte_tx, ip4]
    queue-count: 1
    queue-size: 4
    batch-size: 2
    request-timeout: 60
`)
      const line = (n: number) => `byte_tx{datasource="${NET}",ip4="10.0.0.1"} ${n} @1715133600000`
      r.script({ status: 503, body: 'tsdb down' })
      const statuses: number[] = []
      for (let i = 1; i <= 2; i++) statuses.push((await h.post(NET, JSON.stringify(rec(i)))).status)
      await until(() => r.requests.length === 1, 'the 503')
      for (let i = 3; i <= 8; i++) statuses.push((await h.post(NET, JSON.stringify(rec(i)))).status)
      const delivered = () => r.requests.filter((q) => q.status === 204).flatMap((q) => seriesText(q.series))
      for (let i = 0; i < 50 && delivered().length < 4; i++) {
        await h.clock.advance(1000)
        await new Promise((res) => setTimeout(res, 10))
      }
      await h.clock.advance(1000)
      await new Promise((res) => setTimeout(res, 20))
      const dropped = (m: string) => h.metric(`deepflow_relay_${m}_dropped_total{exporter="rw",reason="evicted"}`)
      if (mode === 'reject') {
        assert.deepEqual(statuses, [202, 202, 202, 202, 429, 429, 429, 429])
        assert.equal(refused(h), 0)
        assert.equal(h.metric('deepflow_relay_requests_refused_total{reason="queue_full"}'), 4)
        assert.equal(dropped('records'), 0)
        assert.equal(dropped('series'), 0)
        assert.deepEqual(delivered(), [1, 2, 3, 4].map(line))
      } else {
        assert.deepEqual(statuses, [202, 202, 202, 202, 202, 202, 202, 202])
        assert.equal(refused(h), 0)
        assert.equal(dropped('records'), 4)
        assert.equal(dropped('series'), 4)
        assert.deepEqual(delivered(), [1, 2, 7, 8].map(line))
      }
      assert.equal(h.metric('deepflow_relay_series_sent_total{exporter="rw"}'), 4)
      assert.equal(h.metric('deepflow_relay_queue_records{exporter="rw"}'), 0)
    } finally {
      await r.close()
    }
  })
}
