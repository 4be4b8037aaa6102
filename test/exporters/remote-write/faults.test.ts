// The remote-write sender against a scripted receiver (faults a real receiver cannot be made to
// produce on demand), driven with a manual clock: backoff, Retry-After and timeouts need no sleeps.
// request-timeout is 60 s unless a test is about timeouts: the manual clock moves faster than real
// I/O, and a timeout fired under an in-flight request would (correctly) resend its batch.
import test from 'node:test'
import assert from 'node:assert/strict'
import { until } from '../../helpers/manual-clock.ts'
import { type Harness, startHarness } from '../../helpers/relay-harness.ts'
import { type Receiver, seriesText, startReceiver } from '../../helpers/rw-receiver.ts'
import { freePort } from '../../../scripts/services/process.ts'

const DS = 'flow_metrics.network.1m'
const rec = (n: number) => ({ time: 1715133600 + n, byte_tx: n, ip4: '10.1.2.3' })
const LINE = (n: number) => `byte_tx{datasource="${DS}",ip4="10.1.2.3"} ${n} @${(1715133600 + n) * 1000}`

function yaml(endpoints: string[], extra = ''): string {
  return `exporters:
  - protocol: prometheus
    enabled: true
    name: rw
    endpoints: [${endpoints.join(', ')}]
    data-sources: [${DS}]
    export-fields: [byte_tx, ip4]
    queue-count: 1
${extra.includes('request-timeout') ? '' : '    request-timeout: 60\n'}${
    extra.split('\n').filter((l) => l !== '').map((l) => `    ${l}`).join('\n')
  }
`
}

async function flush(h: Harness, receivers: Receiver[], count: number) {
  await h.clock.advance(1000)
  await until(() => receivers.reduce((n, r) => n + r.requests.length, 0) >= count, `${count} request(s)`)
}

test('requests carry the remote-write 1.0 headers; extra-headers cannot override them', async () => {
  const r = await startReceiver()
  try {
    const h = await startHarness(
      yaml([r.url], `extra-headers: {Authorization: "Bearer t0ken", Content-Type: text/plain, User-Agent: evil, X-Scope-OrgID: tenant-1}`),
    )
    assert.equal((await h.post(DS, JSON.stringify(rec(1)))).status, 202)
    await flush(h, [r], 1)
    const headers = r.requests[0]!.headers
    assert.equal(headers['content-encoding'], 'snappy')
    assert.equal(headers['content-type'], 'application/x-protobuf')
    assert.equal(headers['x-prometheus-remote-write-version'], '0.1.0')
    assert.equal(headers['user-agent'], 'deepflow-relay/0.1.0')
    assert.equal(headers.authorization, 'Bearer t0ken')
    assert.equal(headers['x-scope-orgid'], 'tenant-1')
    assert.deepEqual(seriesText(r.requests[0]!.series), [LINE(1)])
    await until(() => h.metric('deepflow_relay_series_sent_total{exporter="rw"}') === 1, 'series counted')
  } finally {
    await r.close()
  }
})

test('500 then 204: the same batch arrives exactly once more, on the next endpoint', async () => {
  const a = await startReceiver()
  const b = await startReceiver()
  try {
    // random() = 0.5 keeps the order of two endpoints: [a, b].
    const h = await startHarness(yaml([a.url, b.url]))
    a.script({ status: 500, body: 'tsdb busy' })
    await h.post(DS, JSON.stringify([rec(1), rec(2)]))
    await flush(h, [a, b], 1)
    assert.equal(a.requests.length, 1)
    // The 500 must be seen (and the retry's backoff started) before the clock moves on.
    await until(
      () => h.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${a.url}",status="5xx"}`) === 1,
      'the 500 seen',
    )
    await h.clock.advance(30)
    await until(() => b.requests.length === 1, 'the retry on b')
    assert.deepEqual(seriesText(b.requests[0]!.series), [LINE(1), LINE(2)])
    assert.deepEqual(seriesText(a.requests[0]!.series), [LINE(1), LINE(2)])
    // b's answer travels back over a real socket: the relay has counted it only once it arrived.
    await until(
      () => h.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${b.url}",status="2xx"}`) === 1,
      "b's 204 seen",
    )
    await h.clock.advance(60_000)
    assert.equal(a.requests.length + b.requests.length, 2)
    assert.equal(h.metric('deepflow_relay_endpoint_failovers_total{exporter="rw"}'), 1)
    assert.equal(h.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${a.url}",status="5xx"}`), 1)
    assert.equal(h.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${b.url}",status="2xx"}`), 1)
    assert.equal(h.metric('deepflow_relay_series_sent_total{exporter="rw"}'), 2)
  } finally {
    await a.close()
    await b.close()
  }
})

test('400 is never retried: the batch is dropped, counted, and the receiver body logged verbatim', async () => {
  const r = await startReceiver()
  try {
    const h = await startHarness(yaml([r.url]))
    r.script({ status: 400, body: 'out of order sample' })
    await h.post(DS, JSON.stringify([rec(1), rec(2)]))
    await flush(h, [r], 1)
    await until(() => h.metric('deepflow_relay_series_dropped_total{exporter="rw",reason="rejected_by_endpoint"}') === 2, 'drop counted')
    assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="rw",reason="rejected_by_endpoint"}'), 2)
    await h.clock.advance(60_000)
    assert.equal(r.requests.length, 1)
    const log = h.logs.find((l) => l.msg === 'remote-write endpoint rejected a batch; not retried')
    assert.equal(log?.body, 'out of order sample')
    assert.equal(log?.status, 400)
  } finally {
    await r.close()
  }
})

test('429 with Retry-After: 2 is not resent before 2 s', async () => {
  const r = await startReceiver()
  try {
    const h = await startHarness(yaml([r.url]))
    r.script({ status: 429, headers: { 'Retry-After': '2' } })
    await h.post(DS, JSON.stringify(rec(1)))
    await flush(h, [r], 1)
    await until(
      () => h.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${r.url}",status="4xx"}`) === 1,
      'the 429 seen',
    )
    await h.clock.advance(1999)
    await new Promise((res) => setTimeout(res, 50))
    assert.equal(r.requests.length, 1)
    await h.clock.advance(1)
    await until(() => r.requests.length === 2, 'the resend')
    assert.deepEqual(seriesText(r.requests[1]!.series), [LINE(1)])
  } finally {
    await r.close()
  }
})

test('a receiver that hangs times out after request-timeout, then the batch fails over', async () => {
  const a = await startReceiver()
  const b = await startReceiver()
  try {
    const h = await startHarness(yaml([a.url, b.url], 'request-timeout: 1'))
    a.script('hang')
    await h.post(DS, JSON.stringify(rec(1)))
    await flush(h, [a], 1)
    await h.clock.advance(999)
    assert.equal(b.requests.length, 0)
    await h.clock.advance(1)
    await until(
      () => h.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${a.url}",status="timeout"}`) === 1,
      'timeout counted',
    )
    await h.clock.advance(30)
    await until(() => b.requests.length === 1, 'the failover')
    assert.deepEqual(seriesText(b.requests[0]!.series), [LINE(1)])
  } finally {
    await a.close()
    await b.close()
  }
})

for (const order of ['dead first', 'live first'] as const) {
  test(`endpoints [dead port, live receiver], ${order}: every series arrives at the live one`, async () => {
    const live = await startReceiver()
    const dead = `http://127.0.0.1:${await freePort()}/api/v1/write`
    try {
      const h = await startHarness(yaml(order === 'dead first' ? [dead, live.url] : [live.url, dead], 'batch-size: 2'))
      for (let i = 1; i <= 6; i++) assert.equal((await h.post(DS, JSON.stringify(rec(i)))).status, 202)
      for (let i = 0; i < 20 && live.requests.flatMap((q) => q.series).length < 6; i++) {
        await h.clock.advance(1000)
        await new Promise((res) => setTimeout(res, 20))
      }
      assert.deepEqual(seriesText(live.requests.flatMap((q) => q.series)), [1, 2, 3, 4, 5, 6].map(LINE))
      assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="rw",reason="retries_exhausted"}'), 0)
    } finally {
      await live.close()
    }
  })
}

test('after max-retry-duration the batch is dropped as retries_exhausted; readiness follows the endpoints', async () => {
  const r = await startReceiver()
  try {
    const h = await startHarness(yaml([r.url], 'max-retry-duration: 1'))
    r.script(...Array.from({ length: 50 }, () => ({ status: 503 })))
    assert.equal((await h.relay.app.request('/readyz')).status, 200)
    await h.post(DS, JSON.stringify(rec(1)))
    await flush(h, [r], 1)
    await until(
      () => h.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${r.url}",status="5xx"}`) === 1,
      'the 503 seen',
    )
    assert.equal((await h.relay.app.request('/readyz')).status, 503)
    assert.equal(h.metric(`deepflow_relay_endpoint_up{exporter="rw",endpoint="${r.url}"}`), 0)
    for (let i = 0; i < 10 && h.metric('deepflow_relay_records_dropped_total{exporter="rw",reason="retries_exhausted"}') === 0; i++) {
      await h.clock.advance(300)
      await new Promise((res) => setTimeout(res, 20))
    }
    assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="rw",reason="retries_exhausted"}'), 1)
    assert.equal(h.metric('deepflow_relay_series_dropped_total{exporter="rw",reason="retries_exhausted"}'), 1)
    r.script()
    await h.post(DS, JSON.stringify(rec(2)))
    const before = r.requests.length
    await flush(h, [r], before + 1)
    await until(() => h.metric(`deepflow_relay_endpoint_up{exporter="rw",endpoint="${r.url}"}`) === 1, 'endpoint up again')
    assert.equal((await h.relay.app.request('/readyz')).status, 200)
  } finally {
    await r.close()
  }
})

test('a receiver down for 30 s under steady load: 429s while the queue is full, no accepted record lost once it is back', async () => {
  const first = await startReceiver()
  const port = Number(new URL(first.url).port)
  await first.close()
  const h = await startHarness(yaml([first.url], 'queue-size: 6\nbatch-size: 2'))
  const accepted: number[] = []
  let refused = 0
  // One record every 250 ms for 30 s while nothing listens on the port (connections refused).
  for (let i = 1; i <= 120; i++) {
    const res = await h.post(DS, JSON.stringify(rec(i)))
    if (res.status === 202) accepted.push(i)
    else if (res.status === 429) refused++
    else assert.fail(`unexpected ${res.status}`)
    await h.clock.advance(250)
    await new Promise((res2) => setTimeout(res2, 2))
  }
  assert.ok(refused > 0, 'the full queue answered 429')
  assert.ok(accepted.length >= 6, 'the queue took what it could hold')
  const back = await startReceiver(undefined, port)
  try {
    for (let i = 0; i < 100 && (h.metric('deepflow_relay_queue_records{exporter="rw"}') ?? 0) > 0; i++) {
      await h.clock.advance(1000)
      await new Promise((res) => setTimeout(res, 10))
    }
    const delivered = back.requests.filter((q) => q.status === 204).flatMap((q) => seriesText(q.series))
    assert.deepEqual(delivered, accepted.map(LINE))
    // One record per request: refused after parsing (records_refused) or before reading (requests_refused, queue_full).
    assert.equal(
      h.metric(`deepflow_relay_records_refused_total{data_source="${DS}"}`)! +
        h.metric('deepflow_relay_requests_refused_total{reason="queue_full"}')!,
      refused,
    )
    assert.ok(h.metric('deepflow_relay_requests_refused_total{reason="queue_full"}')! > 0)
    assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="rw",reason="retries_exhausted"}'), 0)
    assert.ok(h.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${first.url}",status="error"}`)! > 0)
  } finally {
    await back.close()
  }
})
