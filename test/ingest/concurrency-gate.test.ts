// At most N at once: the N+1th waits for a slot (first come, first served) and gets the one
// released; one that waited maxWaitMs gets null; a slot released twice is released once.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createConcurrencyGate } from '../../src/ingest/concurrency-gate.ts'
import { createManualClock, settle } from '../helpers/manual-clock.ts'

test('two slots: the third waits and takes the first slot released; a fourth times out', async () => {
  const clock = createManualClock()
  const gate = createConcurrencyGate(2, 1000, clock)
  const a = await gate.enter()
  const b = await gate.enter()
  assert.ok(a !== null && b !== null)
  assert.equal(gate.active(), 2)
  let third: (() => void) | null | undefined
  void gate.enter().then((r) => (third = r))
  await settle()
  assert.equal(third, undefined, 'waiting')
  await clock.advance(500)
  let fourth: (() => void) | null | undefined
  void gate.enter().then((r) => (fourth = r))
  a()
  a() // released once only
  await settle()
  assert.equal(typeof third, 'function', 'the third got the slot the first released')
  assert.equal(gate.active(), 2)
  await clock.advance(1000)
  assert.equal(fourth, null, 'no slot within 1 s')
  b()
  third!()
  assert.equal(gate.active(), 0)
  assert.equal(typeof (await gate.enter()), 'function')
})
