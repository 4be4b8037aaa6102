// The opentelemetry sinks over OTLP/gRPC against a real receiver (@grpc/grpc-js serving the upstream
// TraceService): what arrives, what it carries, and the send result of each scripted answer.
import test from 'node:test'
import assert from 'node:assert/strict'
import { status } from '@grpc/grpc-js'
import { type AddressInfo, connect, createServer, type Socket } from 'node:net'
import { spanRequestBody } from '../../../src/exporters/otlp/span-item.ts'
import { until } from '../../helpers/manual-clock.ts'
import { closedPort, spanItem, spanNames, startGrpcReceiver } from '../../helpers/otlp-receiver.ts'
import { otlpSinks } from './sinks.ts'

test('a batch arrives as one ExportTraceServiceRequest of its ResourceSpans, byte for byte', async () => {
  const r = await startGrpcReceiver()
  const s = otlpSinks([r.endpoint])
  try {
    const batch = [spanItem('checkout', 'GET /cart'), spanItem('payment', 'charge'), spanItem('checkout', 'POST /order')]
    assert.deepEqual(await s.send(batch), { status: 'ok' })
    assert.equal(r.requests.length, 1)
    assert.deepEqual(r.requests[0]!.raw, spanRequestBody(batch))
    assert.deepEqual(spanNames(r.requests[0]!.request), ['checkout/GET /cart', 'payment/charge', 'checkout/POST /order'])
    const span = r.requests[0]!.request.resource_spans![0]!.scope_spans![0]!.spans![0]!
    assert.deepEqual([...span.trace_id!], new Array(16).fill(7))
    assert.equal(s.requests(r.endpoint, 'OK'), 1)
    assert.deepEqual([s.sinks.endpoints[0]!.lastOk, s.sinks.endpoints[0]!.lastError], [true, undefined])
    assert.equal(s.sinks.healthy(), true)
  } finally {
    await s.close()
    await r.close()
  }
})

test('metadata: extra-headers with lower-cased keys, reserved ones left out (said once), our User-Agent, the deadline', async () => {
  const r = await startGrpcReceiver()
  const s = otlpSinks([r.endpoint], {
    requestTimeout: 7,
    version: '9.8.7',
    extraHeaders: {
      Authorization: 'Bearer t0ken',
      'X-Scope-OrgID': 'tenant-1',
      'grpc-timeout': '1n',
      'User-Agent': 'evil',
      'x-ctx-bin': 'ab',
    },
  })
  try {
    assert.equal((await s.send([spanItem('a', 'b')])).status, 'ok')
    const md = r.requests[0]!.metadata
    assert.equal(md.authorization, 'Bearer t0ken')
    assert.equal(md['x-scope-orgid'], 'tenant-1')
    assert.equal(md['x-ctx-bin'], 'ab')
    assert.match(md['user-agent']!, /^deepflow-relay\/9\.8\.7 grpc-node-js\//)
    assert.equal(md['grpc-timeout'], undefined)
    // the server is told the deadline: request-timeout plus a second of grace (the relay's own fires first)
    const timeout = r.requests[0]!.timeoutMs
    assert.ok(timeout > 7000 && timeout <= 8000, `deadline ${timeout} ms`)
    const skipped = s.logs.filter((l) => l.msg === 'extra-header not sent as gRPC metadata')
    assert.deepEqual(skipped.map((l) => [l.header, l.why]), [['grpc-timeout', 'gRPC reserves the grpc- prefix'], [
      'User-Agent',
      'set by gRPC itself',
    ]])
  } finally {
    await s.close()
    await r.close()
  }
})

test('each scripted gRPC answer gives its send result and its status label', async () => {
  const r = await startGrpcReceiver()
  const s = otlpSinks([r.endpoint])
  const e = r.endpoint
  try {
    const cases: [Parameters<typeof r.script>[0], unknown][] = [
      [{ code: status.UNAVAILABLE, message: 'collector restarting' }, {
        status: 'retryable',
        error: `${e}: gRPC UNAVAILABLE: collector restarting`,
      }],
      [{ code: status.UNAVAILABLE, message: 'busy', retryDelayMs: 2500 }, {
        status: 'retryable',
        error: `${e}: gRPC UNAVAILABLE: busy`,
        retryAfterMs: 2500,
      }],
      [{ code: status.RESOURCE_EXHAUSTED, message: 'memory limiter', retryDelayMs: 1500 }, {
        status: 'retryable',
        error: `${e}: gRPC RESOURCE_EXHAUSTED: memory limiter`,
        retryAfterMs: 1500,
      }],
      [{ code: status.RESOURCE_EXHAUSTED, message: 'too big' }, {
        status: 'failed',
        error: `${e}: gRPC RESOURCE_EXHAUSTED: too big`,
        reason: 'rejected_by_endpoint',
      }],
      [{ code: status.INVALID_ARGUMENT, message: 'bad span' }, {
        status: 'failed',
        error: `${e}: gRPC INVALID_ARGUMENT: bad span`,
        reason: 'rejected_by_endpoint',
      }],
      [{ code: status.UNAUTHENTICATED, message: 'no token' }, {
        status: 'failed',
        error: `${e}: gRPC UNAUTHENTICATED: no token`,
        reason: 'rejected_by_endpoint',
      }],
      [{ code: status.DEADLINE_EXCEEDED, message: 'upstream slow' }, {
        status: 'retryable',
        error: `${e}: gRPC DEADLINE_EXCEEDED: upstream slow`,
      }],
      [{ partial: { rejected: 2, message: 'spans without trace id' } }, { status: 'ok', rejected: 2, why: 'spans without trace id' }],
      [{}, { status: 'ok' }],
    ]
    for (const [reply, expected] of cases) {
      r.script(reply)
      assert.deepEqual(await s.send([spanItem('a', '1'), spanItem('a', '2'), spanItem('a', '3')]), expected, JSON.stringify(reply))
    }
    assert.equal(r.requests.length, cases.length)
    assert.equal(s.requests(e, 'UNAVAILABLE'), 2)
    assert.equal(s.requests(e, 'RESOURCE_EXHAUSTED'), 2)
    assert.equal(s.requests(e, 'INVALID_ARGUMENT'), 1)
    assert.equal(s.requests(e, 'UNAUTHENTICATED'), 1)
    assert.equal(s.requests(e, 'DEADLINE_EXCEEDED'), 1)
    assert.equal(s.requests(e, 'OK'), 2)
    const rejected = s.logs.filter((l) => l.msg === 'opentelemetry endpoint rejected a batch; not retried')
    assert.deepEqual(rejected.map((l) => [l.status, l.spans]), [['RESOURCE_EXHAUSTED', 3], ['INVALID_ARGUMENT', 3], ['UNAUTHENTICATED', 3]])
  } finally {
    await s.close()
    await r.close()
  }
})

test('a batch rejected for good is logged once per burst per endpoint and status', async () => {
  const r = await startGrpcReceiver()
  const s = otlpSinks([r.endpoint])
  try {
    r.setFallback({ code: status.INVALID_ARGUMENT, message: 'bad' })
    for (let i = 0; i < 3; i++) assert.equal((await s.send([spanItem('a', String(i))])).status, 'failed')
    assert.equal(s.logs.filter((l) => l.msg === 'opentelemetry endpoint rejected a batch; not retried').length, 1)
    await s.clock.advance(60_000)
    assert.equal((await s.send([spanItem('a', 'later')])).status, 'failed')
    assert.equal(s.logs.filter((l) => l.msg === 'opentelemetry endpoint rejected a batch; not retried').length, 2)
  } finally {
    await s.close()
    await r.close()
  }
})

test('a partial_success that rejects nothing is delivered, its message logged as a warning', async () => {
  const r = await startGrpcReceiver()
  const s = otlpSinks([r.endpoint])
  try {
    r.script({ partial: { rejected: 0, message: 'attributes truncated' } })
    assert.deepEqual(await s.send([spanItem('a', 'b')]), { status: 'ok', why: 'attributes truncated' })
    const warnings = s.logs.filter((l) => l.msg === 'opentelemetry endpoint took a batch with a warning')
    assert.deepEqual(warnings.map((l) => l.warning), ['attributes truncated'])
  } finally {
    await s.close()
    await r.close()
  }
})

test('a slow receiver: the request-timeout cancels the call (timeout, retryable); the channel serves the next call', async () => {
  const r = await startGrpcReceiver()
  const s = otlpSinks([r.endpoint], { requestTimeout: 5 })
  let release = () => {}
  try {
    r.script({ hold: new Promise<void>((resolve) => release = resolve) })
    const sending = s.send([spanItem('a', 'slow')])
    await until(() => r.requests.length === 1, 'the request at the receiver')
    await s.clock.advance(4999)
    assert.equal(s.requests(r.endpoint, 'timeout'), 0)
    await s.clock.advance(1)
    assert.deepEqual(await sending, { status: 'retryable', error: `${r.endpoint}: timeout after 5 s` })
    assert.equal(s.requests(r.endpoint, 'timeout'), 1)
    assert.equal(s.sinks.endpoints[0]!.lastOk, false)
    release()
    assert.deepEqual(await s.send([spanItem('a', 'next')]), { status: 'ok' })
    assert.equal(r.requests[1]!.peer, r.requests[0]!.peer, 'the same connection')
  } finally {
    release()
    await s.close()
    await r.close()
  }
})

test('shutdown (the caller aborts) cancels a call in flight: an error, not a timeout', async () => {
  const r = await startGrpcReceiver()
  const s = otlpSinks([r.endpoint])
  let release = () => {}
  try {
    r.script({ hold: new Promise<void>((resolve) => release = resolve) })
    const abort = new AbortController()
    const sending = s.send([spanItem('a', 'b')], 0, abort.signal)
    await until(() => r.requests.length === 1, 'the request at the receiver')
    abort.abort()
    const result = await sending
    assert.equal(result.status, 'retryable')
    assert.match((result as { error: string }).error, /connection error: the call was cancelled/)
    assert.equal(s.requests(r.endpoint, 'error'), 1)
  } finally {
    release()
    await s.close()
    await r.close()
  }
})

test('a receiver that is down: UNAVAILABLE, retryable, the endpoint marked failed and the exporter unhealthy', async () => {
  const endpoint = `127.0.0.1:${await closedPort()}`
  const s = otlpSinks([endpoint])
  try {
    const result = await s.send([spanItem('a', 'b')])
    assert.equal(result.status, 'retryable')
    assert.match((result as { error: string }).error, new RegExp(`^${endpoint}: gRPC UNAVAILABLE: .*(ECONNREFUSED|refused|connect)`, 'i'))
    assert.equal(s.requests(endpoint, 'UNAVAILABLE'), 1)
    assert.equal(s.sinks.endpoints[0]!.lastOk, false)
    assert.equal(s.sinks.healthy(), false)
  } finally {
    await s.close()
  }
})

test('the queues share one channel per endpoint; after close a send is refused', async () => {
  const r = await startGrpcReceiver()
  const s = otlpSinks([r.endpoint])
  try {
    const [a, b] = await Promise.all([s.send([spanItem('q0', 'x')], 0), s.send([spanItem('q1', 'y')], 1)])
    assert.deepEqual([a, b], [{ status: 'ok' }, { status: 'ok' }])
    assert.equal(r.requests.length, 2)
    assert.equal(r.requests[0]!.peer, r.requests[1]!.peer)
    await s.close()
    const after = await s.send([spanItem('q0', 'z')], 0)
    assert.equal(after.status, 'retryable')
    assert.match((after as { error: string }).error, /the exporter is closed/)
    assert.equal(r.requests.length, 2)
  } finally {
    await s.close()
    await r.close()
  }
})

test('the last queue sink to close closes the channels', async () => {
  const r = await startGrpcReceiver()
  const s = otlpSinks([r.endpoint])
  try {
    const q0 = s.sinks.sinkFor(0)
    const q1 = s.sinks.sinkFor(1)
    const signal = new AbortController().signal
    assert.equal((await q0.send([spanItem('a', 'b')], signal)).status, 'ok')
    await q0.close()
    assert.equal((await q1.send([spanItem('a', 'c')], signal)).status, 'ok', 'q1 still sends')
    await q1.close()
    assert.match((await q1.send([spanItem('a', 'd')], signal) as { error: string }).error, /the exporter is closed/)
  } finally {
    await s.close()
    await r.close()
  }
})

/** A TCP relay in front of `port` that counts the connections open through it. */
async function connectionCounter(port: number) {
  const open = new Set<Socket>()
  const server = createServer((socket) => {
    open.add(socket)
    const inner = connect(port, '127.0.0.1')
    socket.pipe(inner).pipe(socket)
    const done = () => {
      open.delete(socket)
      socket.destroy()
      inner.destroy()
    }
    socket.on('close', done)
    inner.on('close', done)
    socket.on('error', done)
    inner.on('error', done)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    open: () => open.size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

test('closing the sinks closes the channel: its connection ends', async () => {
  const r = await startGrpcReceiver()
  const counter = await connectionCounter(r.port)
  const s = otlpSinks([counter.endpoint])
  try {
    assert.equal((await s.send([spanItem('a', '1')], 0)).status, 'ok')
    assert.equal((await s.send([spanItem('a', '2')], 1)).status, 'ok')
    assert.equal(counter.open(), 1, 'one connection for both queues')
    await s.close()
    await until(() => counter.open() === 0, 'the connection closed')
  } finally {
    await s.close()
    await counter.close()
    await r.close()
  }
})
