// Failover between endpoints, with a real worker driving retries: a retryable failure moves the
// queue to the next endpoint (in the shuffled order), so the retry of the batch goes there; gRPC and
// HTTP endpoints mix in one exporter. And partial_success counted by the worker: the spans the
// endpoint rejected are dropped (rejected_by_endpoint), the rest sent.
import test from 'node:test'
import assert from 'node:assert/strict'
import { status } from '@grpc/grpc-js'
import type { SpanItem } from '../../../src/exporters/otlp/span-item.ts'
import { BatchQueue } from '../../../src/pipeline/batch-queue.ts'
import { createWorker } from '../../../src/pipeline/worker.ts'
import { until } from '../../helpers/manual-clock.ts'
import { closedPort, type OtlpReceiver, spanItem, spanNames, startGrpcReceiver, startHttpReceiver } from '../../helpers/otlp-receiver.ts'
import { NAME, otlpSinks, type TestSinks } from './sinks.ts'

/** A worker of queue 0 over the sinks: batches of 3, flush-timeout 1 s. */
function worker(s: TestSinks) {
  const queue = new BatchQueue<SpanItem>()
  const log = { warnOncePerBurst() {}, warn() {}, info() {}, debug() {}, error() {}, setLevel() {} }
  const w = createWorker<SpanItem>({
    config: s.exporter,
    queue,
    index: 0,
    batchSize: 3,
    flushMs: 1000,
    sink: s.sinks.sinkFor(0),
    clock: s.clock,
    log,
    metrics: s.metrics,
    retry: { initialMs: 100, maxMs: 1000, maxDurationMs: 60_000 },
    onAttempt: () => {},
  })
  return {
    push(...items: SpanItem[]) {
      for (const item of items) queue.push(item, s.clock.now())
      w.notify()
    },
    sent: () => s.metrics.sent.get([NAME]),
    dropped: (reason: string) => s.metrics.dropped.get([NAME, reason]),
  }
}

test('down gRPC endpoint first: the retry goes to the next one, counted as a failover', async () => {
  const down = `127.0.0.1:${await closedPort()}`
  const up = await startGrpcReceiver()
  const s = otlpSinks([down, up.endpoint])
  try {
    assert.deepEqual(s.sinks.endpoints.map((e) => e.url), [down, up.endpoint], 'random 0.99 keeps the order')
    const w = worker(s)
    w.push(spanItem('a', '1'), spanItem('a', '2'), spanItem('a', '3'))
    await until(() => s.requests(down, 'UNAVAILABLE') === 1, 'the attempt on the down endpoint')
    assert.equal(s.failovers(), 1)
    await s.clock.advance(100)
    await until(() => w.sent() === 3, 'the retry delivered')
    assert.deepEqual(spanNames(up.requests[0]!.request), ['a/1', 'a/2', 'a/3'])
    assert.equal(s.requests(up.endpoint, 'OK'), 1)
    assert.deepEqual(s.sinks.endpoints.map((e) => e.lastOk), [false, true])
    assert.equal(s.sinks.healthy(), true)
    // the queue stays on the endpoint that works
    w.push(spanItem('b', '1'), spanItem('b', '2'), spanItem('b', '3'))
    await until(() => w.sent() === 6, 'the next batch')
    assert.equal(up.requests.length, 2)
    assert.equal(s.requests(down, 'UNAVAILABLE'), 1)
    assert.equal(s.failovers(), 1)
  } finally {
    await s.close()
    await up.close()
  }
})

test('gRPC and HTTP endpoints mix: an UNAVAILABLE on one sends the retry over HTTP to the other, and back', async () => {
  const grpc = await startGrpcReceiver()
  const http = await startHttpReceiver()
  const s = otlpSinks([grpc.endpoint, http.endpoint])
  try {
    grpc.setFallback({ code: status.UNAVAILABLE, message: 'draining' })
    http.script({ status: 503, message: 'warming up' })
    const w = worker(s)
    w.push(spanItem('a', '1'), spanItem('a', '2'), spanItem('a', '3'))
    await until(() => s.requests(grpc.endpoint, 'UNAVAILABLE') === 1, "gRPC's UNAVAILABLE seen")
    await s.clock.advance(100)
    await until(() => http.requests.length === 1, 'the retry over HTTP')
    await until(() => s.requests(http.endpoint, '5xx') === 1, "HTTP's 503 seen")
    grpc.setFallback({})
    await s.clock.advance(1000)
    await until(() => w.sent() === 3, 'delivered on the third attempt')
    const all = (r: OtlpReceiver) => r.requests.map((q) => spanNames(q.request))
    assert.deepEqual(all(grpc), [['a/1', 'a/2', 'a/3'], ['a/1', 'a/2', 'a/3']])
    assert.deepEqual(all(http), [['a/1', 'a/2', 'a/3']])
    assert.equal(s.failovers(), 2)
    assert.equal(s.metrics.retries.get([NAME]), 2)
  } finally {
    await s.close()
    await grpc.close()
    await http.close()
  }
})

test('a final rejection is no failover: the queue stays, the batch is dropped', async () => {
  const a = await startGrpcReceiver()
  const b = await startGrpcReceiver()
  const s = otlpSinks([a.endpoint, b.endpoint])
  try {
    a.script({ code: status.INVALID_ARGUMENT, message: 'bad' })
    const w = worker(s)
    w.push(spanItem('a', '1'), spanItem('a', '2'), spanItem('a', '3'))
    await until(() => w.dropped('rejected_by_endpoint') === 3, 'dropped')
    w.push(spanItem('b', '1'), spanItem('b', '2'), spanItem('b', '3'))
    await until(() => w.sent() === 3, 'the next batch')
    assert.equal(a.requests.length, 2)
    assert.equal(b.requests.length, 0)
    assert.equal(s.failovers(), 0)
  } finally {
    await s.close()
    await a.close()
    await b.close()
  }
})

test('partial_success: the worker counts the rejected spans as dropped (rejected_by_endpoint) and the rest as sent', async () => {
  const grpc = await startGrpcReceiver()
  const http = await startHttpReceiver()
  try {
    for (const r of [grpc, http]) {
      const s = otlpSinks([r.endpoint])
      r.script({ partial: { rejected: 2, message: 'two spans too old' } })
      const w = worker(s)
      w.push(spanItem('a', '1'), spanItem('a', '2'), spanItem('a', '3'))
      await until(() => w.sent() === 1, `${r.kind}: the rest sent`)
      assert.equal(w.dropped('rejected_by_endpoint'), 2, r.kind)
      assert.equal(s.metrics.retries.get([NAME]), 0, `${r.kind}: a partial success is never retried`)
      assert.equal(r.requests.length, 1)
      await s.close()
    }
  } finally {
    await grpc.close()
    await http.close()
  }
})
