// How remote-write batches are cut and ordered: batch-size counts series, a series keeps its order
// with several queues, and requests reuse one kept-alive connection.
import test from 'node:test'
import assert from 'node:assert/strict'
import { until } from '../../helpers/manual-clock.ts'
import { startHarness } from '../../helpers/relay-harness.ts'
import { seriesText, startReceiver } from '../../helpers/rw-receiver.ts'

const DS = 'flow_metrics.network.1m'
const yaml = (url: string, extra: string) =>
  `exporters:
  - {protocol: prometheus, enabled: true, name: rw, endpoints: [${url}], data-sources: [${DS}], export-fields: [byte_tx, packet_tx, ip4], request-timeout: 60, ${extra}}
`

test('batch-size counts series: a request takes records until it holds batch-size series or more, as DeepFlow', async () => {
  const r = await startReceiver()
  try {
    const h = await startHarness(yaml(r.url, 'queue-count: 1, batch-size: 3, flush-timeout: 60'))
    // Two series per record (byte_tx and packet_tx).
    await h.post(DS, JSON.stringify([1, 2, 3].map((n) => ({ time: 1715133600 + n, byte_tx: n, packet_tx: n, ip4: '10.0.0.1' }))))
    await until(() => r.requests.length === 1, 'the first request')
    assert.equal(r.requests[0]!.series.length, 4)
    // The answer must be in before the clock jumps, or the jump would also fire its request-timeout.
    await until(() => h.metric('deepflow_relay_series_sent_total{exporter="rw"}') === 4, 'the first answer')
    await h.clock.advance(60_000)
    await until(() => r.requests.length === 2, 'the flush of the rest')
    assert.equal(r.requests[1]!.series.length, 2)
  } finally {
    await r.close()
  }
})

test('with several queues, the samples of every series arrive in timestamp order', async () => {
  const r = await startReceiver()
  try {
    // Every record is queued before anything is sent (a batch holds them all; flush-timeout on the
    // manual clock), then one flush sends one request per queue that has records. The first request
    // received is answered last: with queues chosen by series it holds whole series, so nothing of
    // them arrives early; with a series-blind choice it would hold early samples of series whose
    // later samples the other requests delivered first.
    const releases: (() => void)[] = []
    r.script(...[0, 1, 2, 3].map(() => ({ status: 204, hold: new Promise<void>((resolve) => releases.push(resolve)) })))
    const h = await startHarness(yaml(r.url, 'queue-count: 4, batch-size: 100, flush-timeout: 1'))
    const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']
    for (let t = 0; t < 8; t++) await h.post(DS, JSON.stringify(ips.map((ip) => ({ time: 1715133600 + t, byte_tx: t, ip4: ip }))))
    assert.equal(r.received.requests, 0)
    await h.clock.advance(1000)
    await until(() => r.received.series === 48, 'one request from each queue')
    const queues = r.received.requests
    assert.ok(queues >= 2, `the series spread over several queues (${queues})`)
    for (const release of releases.slice(1, queues)) release()
    await until(() => r.requests.length === queues - 1, 'the answers to all but the first request')
    releases[0]!()
    await until(() => r.requests.length === queues, 'the first request')
    const arrived = seriesText(r.requests.flatMap((q) => q.series))
    for (const ip of ips) {
      const stamps = arrived.filter((l) => l.includes(`ip4="${ip}"`)).map((l) => Number(/@(\d+)$/.exec(l)![1]))
      assert.deepEqual(stamps, [...stamps].sort((a, b) => a - b), ip)
      assert.equal(stamps.length, 8)
    }
  } finally {
    await r.close()
  }
})

test('consecutive requests of a queue reuse one kept-alive connection', async () => {
  const r = await startReceiver()
  try {
    const h = await startHarness(yaml(r.url, 'queue-count: 1, batch-size: 1'))
    for (let n = 1; n <= 3; n++) {
      await h.post(DS, JSON.stringify({ time: 1715133600 + n, byte_tx: n, ip4: '10.0.0.1' }))
      await until(() => r.requests.length === n, `request ${n}`)
    }
    assert.equal(new Set(r.requests.map((q) => q.clientPort)).size, 1)
  } finally {
    await r.close()
  }
})
