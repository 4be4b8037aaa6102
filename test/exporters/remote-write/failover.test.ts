// Endpoint health and failover alone (no HTTP): the shuffled order, each queue's current endpoint,
// the move to the next one after a retryable failure, lastOk/lastError and the exporter's health.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createEndpointPool, maskUrl } from '../../../src/exporters/remote-write/failover.ts'

const A = 'http://a:9090/api/v1/write'
const B = 'http://b:9090/api/v1/write'
const C = 'http://c:9090/api/v1/write'
const RETRY = { ok: false, error: 'HTTP 503', retryable: true } as const
const FINAL = { ok: false, error: 'HTTP 400: out of order', retryable: false } as const
const OK = { ok: true } as const

/** A random() that returns the given values in turn. */
const sequence = (...values: number[]) => () => values.shift() ?? 0

test('the endpoints are shuffled once, with the injected randomness (Fisher–Yates)', () => {
  // i=2: j=floor(0×3)=0 → [C, B, A]; i=1: j=floor(0×2)=0 → [B, C, A]
  assert.deepEqual(createEndpointPool([A, B, C], sequence(0, 0)).endpoints.map((e) => e.url), [B, C, A])
  // random near 1 swaps nothing
  assert.deepEqual(createEndpointPool([A, B, C], () => 0.99).endpoints.map((e) => e.url), [A, B, C])
  let calls = 0
  const pool = createEndpointPool([A, B, C], () => (calls++, 0.5))
  assert.equal(calls, 2)
  pool.cursor()
  pool.cursor()
  assert.equal(calls, 2)
})

test('a retryable failure moves the queue to the next endpoint; success and final failures keep it', () => {
  const pool = createEndpointPool([A, B, C], () => 0.99)
  const queue = pool.cursor()
  assert.equal(queue.current().url, A)
  assert.equal(queue.report(OK), false)
  assert.equal(queue.current().url, A)
  assert.equal(queue.report(FINAL), false)
  assert.equal(queue.current().url, A)
  assert.equal(queue.report(RETRY), true)
  assert.equal(queue.current().url, B)
  assert.equal(queue.report(RETRY), true)
  assert.equal(queue.current().url, C)
  assert.equal(queue.report(OK), false)
  assert.equal(queue.current().url, C)
  // wraps around, in the shuffled order
  assert.equal(queue.report(RETRY), true)
  assert.equal(queue.current().url, A)
})

test('each queue has its own current endpoint', () => {
  const pool = createEndpointPool([A, B, C], () => 0.99)
  const q0 = pool.cursor()
  const q1 = pool.cursor()
  q0.report(RETRY)
  assert.equal(q0.current().url, B)
  assert.equal(q1.current().url, A)
})

test('with one endpoint a retryable failure is no failover', () => {
  const queue = createEndpointPool([A], () => 0.5).cursor()
  assert.equal(queue.report(RETRY), false)
  assert.equal(queue.current().url, A)
})

test('every attempt sets its endpoint lastOk and lastError', () => {
  const pool = createEndpointPool([A, B, C], () => 0.99)
  const queue = pool.cursor()
  assert.deepEqual(pool.endpoints.map((e) => [e.lastOk, e.lastError]), [[undefined, undefined], [undefined, undefined], [
    undefined,
    undefined,
  ]])
  queue.report(FINAL)
  assert.deepEqual([pool.endpoints[0]!.lastOk, pool.endpoints[0]!.lastError], [false, 'HTTP 400: out of order'])
  queue.report(OK)
  assert.deepEqual([pool.endpoints[0]!.lastOk, pool.endpoints[0]!.lastError], [true, undefined])
  queue.report(RETRY)
  assert.deepEqual([pool.endpoints[0]!.lastOk, pool.endpoints[0]!.lastError], [false, 'HTTP 503'])
  assert.deepEqual([pool.endpoints[1]!.lastOk, pool.endpoints[1]!.lastError], [undefined, undefined])
})

test('healthy unless every endpoint failed its last attempt', () => {
  const pool = createEndpointPool([A, B, C], () => 0.99)
  const queue = pool.cursor()
  assert.equal(pool.healthy(), true) // nothing tried yet
  queue.report(RETRY) // A failed
  queue.report(RETRY) // B failed
  assert.equal(pool.healthy(), true) // C not tried yet
  queue.report(RETRY) // C failed
  assert.equal(pool.healthy(), false)
  queue.report(OK) // A works again
  assert.equal(pool.healthy(), true)
  assert.equal(queue.current().url, A)
})

test('labels mask user info of the URL', () => {
  assert.equal(maskUrl('https://user:secret@vm.example:8428/api/v1/write'), 'https://***@vm.example:8428/api/v1/write')
  assert.equal(maskUrl(A), A)
  assert.equal(maskUrl('not a url'), 'not a url')
  const pool = createEndpointPool(['http://u:p@a:9090/w'], () => 0.5)
  assert.deepEqual([pool.endpoints[0]!.url, pool.endpoints[0]!.label], ['http://u:p@a:9090/w', 'http://***@a:9090/w'])
})
