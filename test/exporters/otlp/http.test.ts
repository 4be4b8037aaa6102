// The opentelemetry sinks over OTLP/HTTP (binary protobuf) against a real receiver (node:http,
// POST /v1/traces): what arrives, its headers, and the send result of each scripted answer.
import test from 'node:test'
import assert from 'node:assert/strict'
import { spanRequestBody } from '../../../src/exporters/otlp/span-item.ts'
import { until } from '../../helpers/manual-clock.ts'
import { closedPort, spanItem, spanNames, startHttpReceiver } from '../../helpers/otlp-receiver.ts'
import { otlpSinks } from './sinks.ts'

test('a batch is POSTed as one ExportTraceServiceRequest, byte for byte, with the OTLP/HTTP headers', async () => {
  const r = await startHttpReceiver()
  const s = otlpSinks([r.endpoint], {
    version: '9.8.7',
    extraHeaders: { Authorization: 'Bearer t0ken', 'X-Scope-OrgID': 'tenant-1', 'Content-Type': 'application/json', 'User-Agent': 'evil' },
  })
  try {
    const batch = [spanItem('checkout', 'GET /cart'), spanItem('payment', 'charge')]
    assert.deepEqual(await s.send(batch), { status: 'ok' })
    const req = r.requests[0]!
    assert.deepEqual(req.raw, spanRequestBody(batch))
    assert.deepEqual(spanNames(req.request), ['checkout/GET /cart', 'payment/charge'])
    assert.equal(req.metadata['content-type'], 'application/x-protobuf')
    assert.equal(req.metadata['user-agent'], 'deepflow-relay/9.8.7')
    assert.equal(req.metadata.authorization, 'Bearer t0ken')
    assert.equal(req.metadata['x-scope-orgid'], 'tenant-1')
    assert.equal(s.requests(r.endpoint, '2xx'), 1)
    assert.equal(s.sinks.endpoints[0]!.lastOk, true)
  } finally {
    await s.close()
    await r.close()
  }
})

test('each scripted HTTP answer gives its send result and its status label', async () => {
  const r = await startHttpReceiver()
  const s = otlpSinks([r.endpoint])
  const e = r.endpoint
  try {
    const cases: [Parameters<typeof r.script>[0], unknown][] = [
      [{ status: 429, message: 'rate limited', headers: { 'Retry-After': '7' } }, {
        status: 'retryable',
        error: `${e}: HTTP 429: rate limited`,
        retryAfterMs: 7000,
      }],
      [{ status: 503, message: 'overloaded', headers: { 'Retry-After': '2' } }, {
        status: 'retryable',
        error: `${e}: HTTP 503: overloaded`,
        retryAfterMs: 2000,
      }],
      [{ status: 502, body: 'bad gateway', headers: { 'content-type': 'text/plain' } }, {
        status: 'retryable',
        error: `${e}: HTTP 502: bad gateway`,
      }],
      [{ status: 504 }, { status: 'retryable', error: `${e}: HTTP 504` }],
      [{ status: 400, message: 'span has no trace id' }, {
        status: 'failed',
        error: `${e}: HTTP 400: span has no trace id`,
        reason: 'rejected_by_endpoint',
      }],
      [{ status: 413, message: 'too large' }, { status: 'failed', error: `${e}: HTTP 413: too large`, reason: 'rejected_by_endpoint' }],
      [{ status: 500, message: 'panic' }, { status: 'retryable', error: `${e}: HTTP 500: panic` }],
      [{ partial: { rejected: 1, message: 'one span too old' } }, { status: 'ok', rejected: 1, why: 'one span too old' }],
      [{ status: 202 }, { status: 'ok' }],
    ]
    for (const [reply, expected] of cases) {
      r.script(reply)
      assert.deepEqual(await s.send([spanItem('a', '1'), spanItem('a', '2')]), expected, JSON.stringify(reply))
    }
    assert.equal(s.requests(e, '4xx'), 3)
    assert.equal(s.requests(e, '5xx'), 4)
    assert.equal(s.requests(e, '2xx'), 2)
    const rejected = s.logs.filter((l) => l.msg === 'opentelemetry endpoint rejected a batch; not retried')
    assert.deepEqual(rejected.map((l) => [l.status, l.spans]), [['4xx', 2]], 'once per burst per endpoint and class (5xx are retried)')
  } finally {
    await s.close()
    await r.close()
  }
})

test('a wrong path: the 404 is final', async () => {
  const r = await startHttpReceiver()
  const url = r.endpoint.replace('/v1/traces', '/v1/trace')
  const s = otlpSinks([url])
  try {
    const result = await s.send([spanItem('a', 'b')])
    assert.deepEqual(result, { status: 'failed', error: `${url}: HTTP 404: no POST /v1/trace here`, reason: 'rejected_by_endpoint' })
  } finally {
    await s.close()
    await r.close()
  }
})

test('a slow receiver: the request-timeout aborts the request (timeout, retryable)', async () => {
  const r = await startHttpReceiver()
  const s = otlpSinks([r.endpoint], { requestTimeout: 3 })
  let release = () => {}
  try {
    r.script({ hold: new Promise<void>((resolve) => release = resolve) })
    const sending = s.send([spanItem('a', 'slow')])
    await until(() => r.requests.length === 1, 'the request at the receiver')
    await s.clock.advance(3000)
    assert.deepEqual(await sending, { status: 'retryable', error: `${r.endpoint}: timeout after 3 s` })
    assert.equal(s.requests(r.endpoint, 'timeout'), 1)
  } finally {
    release()
    await s.close()
    await r.close()
  }
})

test('a receiver that is down: a connection error, retryable', async () => {
  const endpoint = `http://127.0.0.1:${await closedPort()}/v1/traces`
  const s = otlpSinks([endpoint])
  try {
    const result = await s.send([spanItem('a', 'b')])
    assert.equal(result.status, 'retryable')
    assert.match((result as { error: string }).error, new RegExp(`^${endpoint}: connection error: `))
    assert.equal(s.requests(endpoint, 'error'), 1)
    assert.equal(s.sinks.healthy(), false)
  } finally {
    await s.close()
  }
})
