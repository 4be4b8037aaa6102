import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backoffDelay, type BackoffPolicy } from '../../src/pipeline/backoff.ts'

const EQUAL: BackoffPolicy = { initialMs: 30, maxMs: 5000, jitter: 'equal' }
const NONE: BackoffPolicy = { initialMs: 100, maxMs: 10_000, jitter: 'none' }

test('no jitter: the delay doubles from initialMs and stops at maxMs', () => {
  const delays = Array.from({ length: 9 }, (_, a) => backoffDelay(NONE, a, () => 0.99))
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000])
})

test('equal jitter: random 0 gives half the exponential delay, random near 1 almost all of it', () => {
  assert.equal(backoffDelay(EQUAL, 0, () => 0), 15)
  assert.equal(backoffDelay(EQUAL, 3, () => 0), 120)
  assert.equal(backoffDelay(EQUAL, 3, () => 0.5), 180)
  assert.ok(backoffDelay(EQUAL, 3, () => 0.999_999) < 240)
  // capped before the jitter: [maxMs/2, maxMs)
  assert.equal(backoffDelay(EQUAL, 20, () => 0), 2500)
  assert.ok(backoffDelay(EQUAL, 20, () => 0.999_999) < 5000)
})

test('equal jitter is not full jitter: no delay falls below half the exponential one', () => {
  for (let a = 0; a < 12; a++) {
    for (const r of [0, 0.1, 0.37, 0.5, 0.9]) {
      const d = Math.min(EQUAL.maxMs, EQUAL.initialMs * 2 ** a)
      const delay = backoffDelay(EQUAL, a, () => r)
      assert.ok(delay >= d / 2 && delay < d + 1e-9, `attempt ${a}, random ${r}: ${delay} not in [${d / 2}, ${d})`)
    }
  }
})

test('a Retry-After longer than the backoff wins; a shorter one does not shorten it', () => {
  assert.equal(backoffDelay(NONE, 0, () => 0, 7000), 7000)
  assert.equal(backoffDelay(NONE, 2, () => 0, 10), 400)
  assert.equal(backoffDelay(EQUAL, 0, () => 0, 3000), 3000)
})

test('huge attempt numbers stay finite (the exponent is bounded)', () => {
  assert.equal(backoffDelay(NONE, 10_000, () => 0), 10_000)
  assert.equal(backoffDelay(NONE, -1, () => 0), 100)
})
