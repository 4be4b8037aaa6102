// throttle.ts: a broker's throttle moves the deadlines of the requests in flight behind it, and
// Produce v3–v5 requests get time for a held answer. Times are plain numbers (ms since the epoch).
import test from 'node:test'
import assert from 'node:assert/strict'
import RequestQueue from 'kafkajs/src/network/requestQueue/index.js'
import '../../../src/exporters/kafka/kafkajs-throttle-fix.ts'
import { heldResponseAllowanceMs, holdInflight, QUOTA_WINDOW_MS } from '../../../src/exporters/kafka/throttle.ts'

test('requests in flight get their whole own timeout from when the broker reads them, never less than they had', () => {
  const early = { sentAt: 1_000, requestTimeout: 2_000 }
  const late = { sentAt: 1_500, requestTimeout: 2_000 }
  // At 1_600 the broker announces a 5 s throttle: it reads them at 6_600.
  holdInflight([early, late], 6_600)
  assert.equal(early.sentAt + early.requestTimeout, 8_600)
  assert.equal(late.sentAt + late.requestTimeout, 8_600)
  // A second throttle announced later extends from its own end, with the request's own 2 s (not the
  // extended timeout) on top.
  holdInflight([early], 9_000)
  assert.equal(early.sentAt + early.requestTimeout, 11_000)
  // A throttle that ends before the deadline changes nothing.
  holdInflight([late], 5_000)
  assert.equal(late.sentAt + late.requestTimeout, 8_600)
})

test('produce v3–v5: a held answer is allowed the quota window, or twice the longest the broker reported', () => {
  assert.equal(heldResponseAllowanceMs(0), QUOTA_WINDOW_MS)
  assert.equal(heldResponseAllowanceMs(3_000), QUOTA_WINDOW_MS)
  assert.equal(heldResponseAllowanceMs(40_000), 80_000)
})

test("kafkajs's request queue: a client-side throttle holds the requests not sent and moves the deadlines of those in flight", () => {
  const logger = { debug() {}, warn() {}, error() {}, info() {} }
  type Queue = typeof RequestQueue.prototype
  const queue = new (RequestQueue as unknown as new (o: object) => Queue)({
    maxInFlightRequests: null,
    requestTimeout: 2_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'b:9092',
    logger,
  })
  const inflight = { sentAt: Date.now(), requestTimeout: 2_000 }
  queue.inflight.set(1, inflight)
  const before = Date.now()
  queue.maybeThrottle(5_000)
  assert.ok(queue.throttledUntil >= before + 5_000)
  assert.ok(inflight.sentAt + inflight.requestTimeout >= before + 7_000, 'the request in flight has 2 s after the throttle ends')
  // No throttle (0, or null from responses without one): nothing moves.
  const other = { sentAt: Date.now(), requestTimeout: 2_000 }
  queue.inflight.clear()
  queue.inflight.set(2, other)
  queue.maybeThrottle(0)
  queue.maybeThrottle(null)
  assert.equal(other.requestTimeout, 2_000)
  queue.destroy()
})
