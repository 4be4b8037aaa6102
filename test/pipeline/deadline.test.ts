// The per-request deadline alone, on the manual clock: the timer aborts the request, the caller's
// signal aborts it too, "did it time out" picks the error text, clear() leaves no timer behind.
import test from 'node:test'
import assert from 'node:assert/strict'
import { startDeadline } from '../../src/pipeline/deadline.ts'
import { createManualClock } from '../helpers/manual-clock.ts'

test('the request is aborted when its time runs out, not a millisecond before', async () => {
  const clock = createManualClock()
  const deadline = startDeadline(clock, 1500, new AbortController().signal)
  await clock.advance(1499)
  assert.equal(deadline.signal.aborted, false)
  assert.equal(deadline.timedOut(), false)
  await clock.advance(1)
  assert.equal(deadline.signal.aborted, true)
  assert.equal(deadline.timedOut(), true)
  assert.equal(deadline.failure(new Error('The operation was aborted')), 'timeout after 1.5 s')
  deadline.clear()
})

test("the caller's abort aborts the request too, and is not a timeout", async () => {
  const clock = createManualClock()
  const caller = new AbortController()
  const deadline = startDeadline(clock, 30_000, caller.signal)
  await clock.advance(10)
  caller.abort()
  assert.equal(deadline.signal.aborted, true)
  assert.equal(deadline.timedOut(), false)
  assert.equal(deadline.failure(new Error('aborted')), 'connection error: aborted')
  deadline.clear()
  await clock.advance(30_000)
  assert.equal(deadline.timedOut(), false)
})

test('an error before the deadline is a connection error, with its message (or the thrown value)', () => {
  const clock = createManualClock()
  const deadline = startDeadline(clock, 30_000)
  assert.equal(deadline.failure(new TypeError('fetch failed: ECONNREFUSED')), 'connection error: fetch failed: ECONNREFUSED')
  assert.equal(deadline.failure('socket closed'), 'connection error: socket closed')
  deadline.clear()
})

test('clear() stops the timer: no sleep left pending, no abort later, the caller let go', async () => {
  const clock = createManualClock()
  const caller = new AbortController()
  const deadline = startDeadline(clock, 1000, caller.signal)
  assert.equal(clock.pending(), 1)
  deadline.clear()
  await clock.advance(0)
  assert.equal(clock.pending(), 0)
  await clock.advance(5000)
  caller.abort()
  assert.equal(deadline.signal.aborted, false)
  assert.equal(deadline.timedOut(), false)
})

test('a caller already aborted gives a request already aborted', () => {
  const clock = createManualClock()
  const caller = new AbortController()
  caller.abort()
  const deadline = startDeadline(clock, 1000, caller.signal)
  assert.equal(deadline.signal.aborted, true)
  assert.equal(deadline.timedOut(), false)
  deadline.clear()
})

test('the timeout text gives whole milliseconds as seconds', async () => {
  const clock = createManualClock()
  const deadline = startDeadline(clock, 1.1 * 1000)
  await clock.advance(2000)
  assert.equal(deadline.failure(new Error('x')), 'timeout after 1.1 s')
  deadline.clear()
})
