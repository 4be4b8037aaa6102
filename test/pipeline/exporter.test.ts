import test from 'node:test'
import assert from 'node:assert/strict'
import { settle } from '../helpers/manual-clock.ts'
import { startHarness, STDOUT_EXPORTER } from '../helpers/relay-harness.ts'

const NET = 'flow_metrics.network.1m'
const rec = (ip: string, bytes: number) => ({ time: 1715133600, byte_tx: bytes, ip4: ip })
const bytesOf = (line: string) => Number(/"byte_tx":(\d+)/.exec(line)![1])
const ipOf = (line: string) => /"ip4":"([\d.]+)"/.exec(line)![1]

test('a batch leaves as soon as batch-size records wait, without waiting for flush-timeout', async () => {
  const h = await startHarness(STDOUT_EXPORTER('queue-count: 1\nbatch-size: 3\nflush-timeout: 60'))
  await h.post(NET, JSON.stringify([rec('10.0.0.1', 1), rec('10.0.0.1', 2), rec('10.0.0.1', 3), rec('10.0.0.1', 4)]))
  await settle()
  assert.equal(h.stdout.length, 1)
  assert.deepEqual(h.lines().map(bytesOf), [1, 2, 3])
  await h.clock.advance(59_999)
  assert.equal(h.lines().length, 3)
  await h.clock.advance(1)
  assert.deepEqual(h.lines().map(bytesOf), [1, 2, 3, 4])
  assert.equal(h.metric('deepflow_relay_batches_sent_total{exporter="stdout-0"}'), 2)
})

test('flush-timeout counts from the oldest waiting record, and accepts fractions of a second', async () => {
  const h = await startHarness(STDOUT_EXPORTER('queue-count: 1\nflush-timeout: 0.5'))
  await h.post(NET, JSON.stringify(rec('10.0.0.1', 1)))
  await h.clock.advance(300)
  await h.post(NET, JSON.stringify(rec('10.0.0.1', 2)))
  await h.clock.advance(199)
  assert.equal(h.lines().length, 0)
  await h.clock.advance(1)
  assert.deepEqual(h.lines().map(bytesOf), [1, 2])
})

test('records of one series keep their order with several queues', async () => {
  const h = await startHarness(STDOUT_EXPORTER('queue-count: 4\nbatch-size: 2\nflush-timeout: 1'))
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8']
  for (let round = 1; round <= 5; round++) {
    await h.post(NET, JSON.stringify(ips.map((ip) => rec(ip, round))))
    await h.clock.advance(10)
  }
  await h.relay.stop()
  const lines = h.lines()
  assert.equal(lines.length, 40)
  for (const ip of ips) assert.deepEqual(lines.filter((l) => ipOf(l) === ip).map(bytesOf), [1, 2, 3, 4, 5], ip)
})

test('a retryable send failure is retried with backoff until it succeeds; the batch is written once', async () => {
  const h = await startHarness(STDOUT_EXPORTER('queue-count: 1'))
  let failures = 2
  const written: string[] = []
  h.setWriter((text) => {
    if (failures-- > 0) return Promise.reject(Object.assign(new Error('EAGAIN: resource temporarily unavailable'), { code: 'EAGAIN' }))
    written.push(text)
    return Promise.resolve()
  })
  await h.post(NET, JSON.stringify(rec('10.0.0.1', 1)))
  await h.clock.advance(1000)
  assert.equal(written.length, 0)
  assert.equal((await h.relay.app.request('/readyz')).status, 503)
  // Backoff with jitter (random fixed at 0.5): 30 ms × 0.75, then 60 ms × 0.75.
  await h.clock.advance(22)
  assert.equal(written.length, 0)
  await h.clock.advance(1)
  assert.equal(written.length, 0)
  await h.clock.advance(45)
  assert.equal(written.length, 1)
  assert.equal(h.metric('deepflow_relay_send_retries_total{exporter="stdout-0"}'), 2)
  assert.equal(h.metric('deepflow_relay_records_sent_total{exporter="stdout-0"}'), 1)
  assert.equal((await h.relay.app.request('/readyz')).status, 200)
})

test('a closed standard output (EPIPE) drops the batch as rejected_by_endpoint, logged once per burst', async () => {
  const h = await startHarness(STDOUT_EXPORTER('queue-count: 1\nbatch-size: 1'))
  h.setWriter(() => Promise.reject(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })))
  await h.post(NET, JSON.stringify([rec('10.0.0.1', 1), rec('10.0.0.1', 2), rec('10.0.0.1', 3)]))
  await settle()
  assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="stdout-0",reason="rejected_by_endpoint"}'), 3)
  const drops = h.logs.filter((l) => l.msg === 'records dropped')
  assert.equal(drops.length, 1)
  assert.equal(drops[0]!.reason, 'rejected_by_endpoint')
})

test('shutdown flushes partial batches at once, without waiting for flush-timeout', async () => {
  const h = await startHarness(STDOUT_EXPORTER('flush-timeout: 3600'))
  await h.post(NET, JSON.stringify([rec('10.0.0.1', 1), rec('10.0.0.2', 2)]))
  await h.relay.stop()
  assert.equal(h.lines().length, 2)
  assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="stdout-0",reason="shutdown"}'), 0)
})

test('what cannot be sent within shutdown-timeout is counted as dropped with reason shutdown', async () => {
  const h = await startHarness(`relay:\n  shutdown-timeout: 5\n${STDOUT_EXPORTER('queue-count: 1\nbatch-size: 2')}`)
  h.setWriter(() => Promise.reject(new Error('disk full')))
  await h.post(NET, JSON.stringify([rec('10.0.0.1', 1), rec('10.0.0.1', 2), rec('10.0.0.1', 3)]))
  const stopped = h.relay.stop()
  await h.clock.advance(5000)
  await stopped
  assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="stdout-0",reason="shutdown"}'), 3)
  assert.equal(h.metric('deepflow_relay_records_sent_total{exporter="stdout-0"}'), 0)
})

test('a send that never returns is given up at the shutdown deadline', async () => {
  const h = await startHarness(`relay:\n  shutdown-timeout: 2\n${STDOUT_EXPORTER('queue-count: 1')}`)
  h.setWriter(() => new Promise(() => {}))
  await h.post(NET, JSON.stringify([rec('10.0.0.1', 1), rec('10.0.0.1', 2)]))
  const stopped = h.relay.stop()
  await h.clock.advance(2000)
  await h.clock.advance(1000)
  await stopped
  assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="stdout-0",reason="shutdown"}'), 2)
})

test('queue gauges count waiting records and their bytes', async () => {
  const h = await startHarness(STDOUT_EXPORTER('flush-timeout: 60'))
  await h.post(NET, JSON.stringify([rec('10.0.0.1', 1), rec('10.0.0.2', 2)]))
  assert.equal(h.metric('deepflow_relay_queue_records{exporter="stdout-0"}'), 2)
  const expectedBytes = 2 *
    '{"datasource":"flow_metrics.network.1m","time":1715133600,"byte_tx":1,"ip4":"10.0.0.1","time_str":"2024-05-08 02:00:00 +0000 UTC"}'
      .length
  assert.equal(h.metric('deepflow_relay_queue_bytes{exporter="stdout-0"}'), expectedBytes)
  await h.relay.stop()
  assert.equal(h.metric('deepflow_relay_queue_records{exporter="stdout-0"}'), 0)
})
