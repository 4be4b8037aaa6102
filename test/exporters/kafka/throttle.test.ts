// A throttling broker: a producer quota (producer_byte_rate) set on a real Apache Kafka broker for
// the relay's client id. The relay slows to the quota, answers 429 once its queue is full while
// /healthz keeps answering, never takes a throttle for a failed send, and once the quota is lifted
// every record it answered 202 is in the topic exactly once. Produce v3–v5 (the broker holds its
// answer instead) is checked on the transport, pinned to v5.
import test, { after } from 'node:test'
import assert from 'node:assert/strict'
import { createKafkaTransport } from '../../../src/exporters/kafka/transport.ts'
import { encodeRecordBatch } from '../../../src/exporters/kafka/record-batch.ts'
import { createLogger } from '../../../src/observe/log.ts'
import { createRealClock, until } from '../../helpers/manual-clock.ts'
import { startHarness } from '../../helpers/relay-harness.ts'
import { startKafka } from '../../../scripts/services/kafka.ts'

const broker = await startKafka()
after(() => broker.destroy())

/** Bytes per second: the relay is offered some 25 times as much. */
const QUOTA = 20_000
/** Kafka's default quota window (11 samples of 1 s): a burst of up to QUOTA × WINDOW passes before throttling. */
const WINDOW_S = 11
/** How long records are offered under the quota. */
const THROTTLED_MS = 14_000

/** How often each value was read back from a topic. */
function counts(values: number[]): Map<number, number> {
  const seen = new Map<number, number>()
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1)
  return seen
}

test(
  'over its producer quota the relay slows to it, answers 429 and stays healthy; afterwards every accepted record is in the topic once',
  {
    timeout: 90_000,
  },
  async () => {
    // Four queues: their produce calls are in flight together on one connection, so the broker's
    // throttle (longer than request-timeout) finds requests already sent behind the throttled one.
    const h = await startHarness(
      `exporters:
  - {protocol: kafka, enabled: true, name: k, endpoints: [${broker.plaintext}], data-sources: [flow_metrics.network.1s], export-fields: [$tag, $metrics], topic: throttle, queue-count: 4, batch-size: 200, flush-timeout: 0.05, request-timeout: 2, compression: none, queue-max-bytes: 65536}
`,
      { clock: createRealClock() },
    )
    const metric = (name: string) => h.metric(`deepflow_relay_${name}`) ?? 0
    let n = 0
    const accepted: number[] = []
    let refused = 0
    const post = async () => {
      const first = n + 1
      const body = Array.from(
        { length: 20 },
        () => JSON.stringify({ time: ++n, byte_tx: n, server_port: n % 16, l7_protocol_str: 'x'.repeat(100) }),
      )
      const res = await h.post('flow_metrics.network.1s', body.join('\n'))
      if (res.status === 202) { for (let v = first; v <= n; v++) accepted.push(v) }
      else if (res.status === 429) refused++
      else assert.fail(`unexpected status ${res.status}`)
    }
    // The topic and its leaders exist before the quota: the first records go through at once.
    await post()
    await until(() => metric('records_sent_total{exporter="k"}') === 20, 'the first records sent', 20_000)

    await broker.setProducerQuota('deepflow-relay-k', QUOTA)
    const bytesBefore = metric('kafka_bytes_sent_total{exporter="k"}')
    const start = Date.now()
    let slowestHealthz = 0
    while (Date.now() - start < THROTTLED_MS) {
      await post()
      const t0 = Date.now()
      assert.equal((await h.relay.app.request('/healthz')).status, 200)
      slowestHealthz = Math.max(slowestHealthz, Date.now() - t0)
      // Load pacing (20 records every 5 ms, some 25 times the quota), not a timing assertion.
      await new Promise((r) => setTimeout(r, 5))
    }
    const seconds = (Date.now() - start) / 1000
    const bytesThrottled = metric('kafka_bytes_sent_total{exporter="k"}') - bytesBefore
    const throttle = metric('kafka_throttle_seconds_total{exporter="k"}')
    const timeouts = metric('kafka_errors_total{exporter="k",kind="timeout"}')

    await broker.setProducerQuota('deepflow-relay-k', null)
    await until(() => metric('queue_records{exporter="k"}') === 0, 'the queue drained after the quota was lifted', 40_000)
    const got = await broker.consume('throttle', accepted.length, 30_000)
    const seen = counts(got.map((m) => JSON.parse(m.value).byte_tx as number))
    const missing = accepted.filter((v) => !seen.has(v))
    const duplicates = [...seen.values()].reduce((d, c) => d + c - 1, 0)
    const dropped = ['evicted', 'rejected_by_endpoint', 'too_large', 'retries_exhausted', 'shutdown']
      .reduce((d, reason) => d + metric(`records_dropped_total{exporter="k",reason="${reason}"}`), 0)
    console.log(
      `throttled ${seconds.toFixed(1)} s: ${(bytesThrottled / seconds / 1000).toFixed(1)} kB/s of values sent (quota ${
        QUOTA / 1000
      } kB/s), broker throttle ${throttle.toFixed(1)} s, ${timeouts} timeouts, slowest /healthz ${slowestHealthz} ms; ` +
        `${accepted.length} accepted, ${refused} posts refused (429), ${got.length} read back, ${duplicates} duplicates, ${missing.length} missing`,
    )
    assert.ok(throttle > 0, 'the broker throttled the relay')
    // At most the quota over the time plus one window (the burst the broker lets through before it
    // throttles) plus one round of the four queues' calls (sent before the broker's throttle came back).
    const oneRound = 4 * 200 * 140
    assert.ok(
      bytesThrottled <= QUOTA * (seconds + WINDOW_S) + oneRound,
      `${bytesThrottled} bytes sent in ${seconds} s under a ${QUOTA} B/s quota`,
    )
    assert.ok(bytesThrottled >= QUOTA * seconds / 4, `only ${bytesThrottled} bytes sent in ${seconds} s: the relay stalled`)
    assert.ok(refused > 0, 'the ingest answered 429 once the queue was full')
    assert.ok(slowestHealthz < 1000, `/healthz took ${slowestHealthz} ms`)
    assert.equal(timeouts, 0, 'a throttle is not a timed-out send')
    assert.deepEqual(missing, [])
    assert.equal(duplicates, 0)
    assert.equal(got.length, accepted.length)
    assert.equal(dropped, 0)
    await h.relay.stop()
  },
)

test(
  'produce v5 (the broker holds its answer for the throttle time): no call times out, nothing is written twice',
  { timeout: 60_000 },
  async () => {
    const clientId = 'throttle-v5'
    const transport = createKafkaTransport({
      clientId,
      brokers: [broker.plaintext],
      sasl: null,
      ssl: null,
      requestTimeoutMs: 1000,
      log: createLogger({ write: () => {}, now: Date.now, level: 'error' }),
      random: Math.random,
      maxProduceVersion: 5,
    })
    // The topic and its leader exist before the quota (a first call may meet a leader not elected yet).
    const first = [{ line: new TextEncoder().encode('first'), timestampMs: 1_715_133_600_000 }]
    const deadline = Date.now() + 20_000
    for (;;) {
      try {
        await transport.produce('throttle-v5', await encodeRecordBatch(first, 'none'))
        break
      } catch (err) {
        if (Date.now() > deadline) throw err
        await transport.reset(false)
      }
    }
    await broker.setProducerQuota(clientId, QUOTA)
    // One and a half window's burst, in calls of some 10 kB from four loops at once (the relay's queues).
    const records = 1.5 * QUOTA * WINDOW_S / 125
    const perCall = 80
    let next = 0
    let throttleMs = 0
    const failures: string[] = []
    const loop = async () => {
      while (next < records) {
        const values = Array.from({ length: Math.min(perCall, records - next) }, () => String(next++).padStart(120, '0'))
        const items = values.map((v) => ({ line: new TextEncoder().encode(v), timestampMs: 1_715_133_600_000 }))
        try {
          throttleMs += await transport.produce('throttle-v5', await encodeRecordBatch(items, 'none'))
        } catch (err) {
          failures.push(`${(err as { name?: string }).name} ${(err as { type?: string }).type ?? ''}`)
          return
        }
      }
    }
    await Promise.all([loop(), loop(), loop(), loop()])
    await transport.close()
    await broker.setProducerQuota(clientId, null)
    const got = (await broker.consume('throttle-v5', records + 1, 30_000)).filter((m) => m.value !== 'first')
    const seen = counts(got.map((m) => Number(m.value)))
    console.log(
      `produce v5: ${records} records, broker held answers ${throttleMs} ms in all, ${failures.length} failed calls, ${got.length} read back`,
    )
    assert.deepEqual(failures, [])
    assert.ok(throttleMs > 1000, 'the broker held answers longer than the request timeout')
    assert.equal(got.length, records)
    assert.equal(seen.size, records)
  },
)
