// The worker of one queue alone: a real BatchQueue, RelayMetrics and logger, the manual clock, and
// a fake sink that answers each send from a script. Batching, flush-timeout, retry with equal-jitter
// backoff and Retry-After, drops by reason, max-retry-duration and the drain at shutdown.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createLogger } from '../../src/observe/log.ts'
import { createRelayMetrics } from '../../src/observe/relay-metrics.ts'
import { BatchQueue } from '../../src/pipeline/batch-queue.ts'
import { failed, OK, retryable, type SendResult, type Sink } from '../../src/pipeline/send-result.ts'
import { createWorker, type RetryPolicy } from '../../src/pipeline/worker.ts'
import { createManualClock, settle } from '../helpers/manual-clock.ts'
import { exporterFromYaml } from '../helpers/encode.ts'

const T0 = 1_700_000_000_000
const CONFIG = exporterFromYaml('data-sources: [event.file_event]\nexport-fields: [$tag]')
const NAME = CONFIG.name
const RETRY: RetryPolicy = { initialMs: 100, maxMs: 1000, maxDurationMs: 5000 }

interface Item {
  readonly v: number
  readonly bytes: number
  readonly units: number
}

interface Setup {
  /** random() of the clock: the backoff's jitter. */
  readonly random?: () => number
  /** What each send answers, in turn; then OK. A function: answers every send. */
  readonly answers?: SendResult[] | ((attempt: number) => SendResult | Promise<SendResult>)
  readonly batchSize?: number
  readonly countsSeries?: boolean
}

function setup(opts: Setup = {}) {
  const clock = createManualClock(T0, opts.random ?? (() => 0.5))
  const metrics = createRelayMetrics()
  const logs: Record<string, unknown>[] = []
  const log = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>), now: clock.now, level: 'debug' })
  const queue = new BatchQueue<Item>()
  /** Every send: the batch's values and when (ms after T0). */
  const sends: { values: number[]; at: number }[] = []
  const answers = opts.answers ?? []
  const sink: Sink<Item> = {
    send(batch) {
      sends.push({ values: batch.map((i) => i.v), at: clock.now() - T0 })
      return Promise.resolve(typeof answers === 'function' ? answers(sends.length - 1) : answers.shift() ?? OK)
    },
    close: async () => {},
    release(batch) {
      released.push({ values: batch.map((i) => i.v), sends: sends.length })
    },
  }
  /** Every Sink.release: the batch's values and how many sends there had been. */
  const released: { values: number[]; sends: number }[] = []
  const attempts: boolean[] = []
  /** What the queue held each time a batch left the worker (afterBatch: the memory limiter's pace). */
  const afterBatch: number[] = []
  const worker = createWorker<Item>({
    config: CONFIG,
    queue,
    index: 0,
    batchSize: opts.batchSize ?? 3,
    flushMs: 1000,
    sink,
    clock,
    log,
    metrics,
    retry: RETRY,
    onAttempt: (ok) => attempts.push(ok),
    countsSeries: opts.countsSeries ?? false,
    afterBatch: () => afterBatch.push(queue.length),
  })
  const push = (...values: number[]) => {
    for (const v of values) queue.push({ v, bytes: 10, units: 1 }, clock.now())
    worker.notify()
  }
  const counter = (c: { get(labels: readonly string[]): number }, ...labels: string[]) => c.get([NAME, ...labels])
  return { clock, metrics, logs, queue, sends, released, attempts, afterBatch, worker, push, counter }
}

test('a batch leaves as soon as batch-size records wait, without waiting for flush-timeout', async () => {
  const w = setup()
  w.push(1, 2)
  await settle()
  assert.deepEqual(w.sends, [])
  w.push(3, 4)
  await settle()
  assert.deepEqual(w.sends, [{ values: [1, 2, 3], at: 0 }])
  assert.equal(w.queue.length, 1)
  assert.equal(w.counter(w.metrics.sent), 3)
  assert.equal(w.counter(w.metrics.batches), 1)
  assert.deepEqual(w.attempts, [true])
  assert.deepEqual(w.afterBatch, [1], 'afterBatch runs once the batch left, not per record')
})

test('a batch is released to its sink once, after its last send: delivered after retries, failed, or dropped at shutdown', async () => {
  const w = setup({ answers: [retryable('503'), OK, failed('400 bad labels')] })
  w.push(1, 2, 3)
  await settle()
  assert.deepEqual(w.released, [], 'in retry: the next attempt reads the batch again')
  await w.clock.advance(100)
  assert.deepEqual(w.released, [{ values: [1, 2, 3], sends: 2 }], 'delivered on the second attempt: released then, once')
  w.push(4, 5, 6)
  await settle()
  assert.deepEqual(w.released.at(-1), { values: [4, 5, 6], sends: 3 }, 'refused for good: released too')
  const stuck = setup({ answers: () => retryable('503') })
  stuck.push(7, 8, 9, 10)
  await settle()
  const drained = stuck.worker.drain(stuck.clock.now() + 50)
  await stuck.clock.advance(50)
  await drained
  assert.deepEqual(
    stuck.released,
    [{ values: [7, 8, 9], sends: 1 }, { values: [10], sends: 1 }],
    'dropped at shutdown: released, each batch once',
  )
  assert.equal(stuck.counter(stuck.metrics.dropped, 'shutdown'), 4)
})

test('a partial batch leaves when its oldest record has waited flush-timeout', async () => {
  const w = setup()
  w.push(1)
  await w.clock.advance(600)
  w.push(2)
  await w.clock.advance(399)
  assert.deepEqual(w.sends, [])
  await w.clock.advance(1)
  assert.deepEqual(w.sends, [{ values: [1, 2], at: 1000 }])
  assert.equal(w.counter(w.metrics.sent), 2)
  assert.equal(w.counter(w.metrics.batches), 1)
})

test('a retryable failure is retried after an equal-jitter backoff until it succeeds', async () => {
  // random 0.25: each delay is d × (0.5 + 0.125) with d = 100, 200, … ms
  const w = setup({ random: () => 0.25, answers: [retryable('HTTP 503'), retryable('HTTP 503')] })
  w.push(1, 2, 3)
  await settle()
  assert.equal(w.sends.length, 1)
  await w.clock.advance(62)
  assert.equal(w.sends.length, 1)
  await w.clock.advance(0.5)
  assert.equal(w.sends.length, 2)
  await w.clock.advance(125)
  assert.deepEqual(w.sends.map((s) => s.at), [0, 62.5, 187.5])
  assert.deepEqual(w.sends.map((s) => s.values), [[1, 2, 3], [1, 2, 3], [1, 2, 3]])
  assert.deepEqual(w.attempts, [false, false, true])
  assert.deepEqual(w.afterBatch, [0], 'once, when the batch left after its third attempt')
  assert.equal(w.counter(w.metrics.retries), 2)
  assert.equal(w.counter(w.metrics.sent), 3)
  assert.equal(w.counter(w.metrics.batches), 1)
  assert.equal(w.counter(w.metrics.dropped, 'retries_exhausted'), 0)
  const retryLog = w.logs.filter((l) => l.msg === 'send failed, retrying')
  // once per burst: the first retry is logged, the second suppressed
  assert.deepEqual(retryLog.map((l) => [l.attempt, l.delay_ms, l.error]), [[1, 63, 'HTTP 503']])
})

test('a Retry-After longer than the backoff is waited for; a shorter one does not shorten the backoff', async () => {
  const w = setup({ random: () => 0, answers: [retryable('HTTP 429', 3000), retryable('HTTP 429', 10)] })
  w.push(1, 2, 3)
  await w.clock.advance(2999)
  assert.equal(w.sends.length, 1)
  await w.clock.advance(1)
  assert.equal(w.sends.length, 2)
  // attempt 1: d = 200, random 0 → 100 ms (> 10 ms)
  await w.clock.advance(99)
  assert.equal(w.sends.length, 2)
  await w.clock.advance(1)
  assert.deepEqual(w.sends.map((s) => s.at), [0, 3000, 3100])
  assert.equal(w.counter(w.metrics.retries), 2)
  assert.equal(w.counter(w.metrics.sent), 3)
})

test('a failed send drops the batch with its reason, never retried', async () => {
  const w = setup({ answers: [failed('HTTP 400: bad labels', 'rejected_by_endpoint'), failed('too big', 'too_large')] })
  w.push(1, 2, 3, 4, 5, 6)
  await w.clock.advance(10_000)
  assert.deepEqual(w.sends.map((s) => s.values), [[1, 2, 3], [4, 5, 6]])
  assert.equal(w.counter(w.metrics.dropped, 'rejected_by_endpoint'), 3)
  assert.equal(w.counter(w.metrics.dropped, 'too_large'), 3)
  assert.equal(w.counter(w.metrics.sent), 0)
  assert.equal(w.counter(w.metrics.retries), 0)
  assert.deepEqual(w.attempts, [false, false])
  assert.deepEqual(w.afterBatch, [3, 0], 'afterBatch runs once per batch, dropped ones too')
  const drops = w.logs.filter((l) => l.msg === 'records dropped')
  assert.deepEqual(drops.map((l) => [l.reason, l.records, l.error]), [['rejected_by_endpoint', 3, 'HTTP 400: bad labels'], [
    'too_large',
    3,
    'too big',
  ]])
})

test('records the receiver refused as too large are dropped alone; the rest counts as sent', async () => {
  const w = setup({ answers: [{ status: 'ok', tooLarge: 1 }], countsSeries: true })
  w.push(1, 2, 3)
  await settle()
  assert.equal(w.counter(w.metrics.sent), 2)
  assert.equal(w.counter(w.metrics.dropped, 'too_large'), 1)
  assert.equal(w.counter(w.metrics.seriesSent), 3)
  assert.equal(w.counter(w.metrics.batches), 1)
})

test('records the endpoint rejected in a partial success are dropped as rejected_by_endpoint, counted by record and logged', async () => {
  const w = setup({ answers: [{ status: 'ok', rejected: 2, why: 'spans without a trace id' }, { status: 'ok', rejected: 9 }] })
  w.push(1, 2, 3)
  await settle()
  assert.equal(w.counter(w.metrics.sent), 1)
  assert.equal(w.counter(w.metrics.dropped, 'rejected_by_endpoint'), 2)
  assert.equal(w.counter(w.metrics.batches), 1)
  assert.equal(w.counter(w.metrics.retries), 0)
  const partial = w.logs.filter((l) => l.msg === 'the endpoint rejected part of a batch; the rest was delivered')
  assert.deepEqual(partial.map((l) => [l.records, l.error]), [[2, 'spans without a trace id']])
  // An answer claiming more than the batch held counts the batch, not more.
  w.push(4, 5, 6)
  await settle()
  assert.equal(w.counter(w.metrics.sent), 1)
  assert.equal(w.counter(w.metrics.dropped, 'rejected_by_endpoint'), 5)
})

test('a batch still failing after max-retry-duration is dropped as retries_exhausted', async () => {
  const w = setup({ answers: (n) => n <= 10 ? retryable('HTTP 503') : OK })
  w.push(1, 2, 3)
  await w.clock.advance(4999)
  // random 0.5: d × 0.75 with d = 100, 200, 400, 800, 1000 (maxMs), …; the last sleep is cut to what is left of 5 s
  const times = [0, 75, 225, 525, 1125, 1875, 2625, 3375, 4125, 4875]
  assert.deepEqual(w.sends.map((s) => s.at), times)
  assert.equal(w.counter(w.metrics.dropped, 'retries_exhausted'), 0)
  await w.clock.advance(1)
  assert.deepEqual(w.sends.map((s) => s.at), [...times, 5000])
  assert.equal(w.counter(w.metrics.dropped, 'retries_exhausted'), 3)
  assert.equal(w.counter(w.metrics.retries), 10)
  assert.equal(w.counter(w.metrics.sent), 0)
  // the worker goes on with the next batch
  w.push(4)
  await w.clock.advance(1000)
  assert.deepEqual(w.sends.at(-1), { values: [4], at: 6000 })
  assert.equal(w.counter(w.metrics.sent), 1)
})

test('drain sends a partial batch at once, without waiting for flush-timeout', async () => {
  const w = setup()
  w.push(1, 2)
  await w.worker.drain(T0 + 5000)
  assert.deepEqual(w.sends, [{ values: [1, 2], at: 0 }])
  assert.equal(w.counter(w.metrics.dropped, 'shutdown'), 0)
})

test('at the drain deadline the batch in retry and everything still queued are dropped as shutdown', async () => {
  const w = setup({ answers: () => retryable('HTTP 503') })
  w.push(1, 2, 3, 4, 5)
  await settle()
  const drained = w.worker.drain(T0 + 1000)
  await w.clock.advance(1000)
  await drained
  assert.equal(w.counter(w.metrics.dropped, 'shutdown'), 5)
  assert.equal(w.counter(w.metrics.sent), 0)
  assert.equal(w.queue.length, 0)
  // sends at 0, 75, 225, 525 ms; the retry sleep was cut at 1000 ms, the rest never sent
  assert.deepEqual(w.sends.map((s) => s.at), [0, 75, 225, 525])
  assert.deepEqual(w.worker.inFlight(), { records: 0, bytes: 0 })
})

test('a send that never returns is given up one second after the drain deadline', async () => {
  const w = setup({ answers: () => new Promise<SendResult>(() => {}) })
  w.push(1, 2, 3, 4)
  await settle()
  assert.deepEqual(w.worker.inFlight(), { records: 3, bytes: 30 })
  const drained = w.worker.drain(T0 + 2000)
  await w.clock.advance(2000)
  assert.equal(w.counter(w.metrics.dropped, 'shutdown'), 0)
  await w.clock.advance(1000)
  await drained
  assert.equal(w.counter(w.metrics.dropped, 'shutdown'), 4)
})
