// The memory limiter against a scripted resident set: admitted below the soft limit, refused above
// it after one collection a second, refused at once above the hard limit (collecting at once), the
// declared sizes of admitted bodies counted until released, and no budget meaning no limit.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createMemoryLimiter } from '../../src/ingest/memory-limiter.ts'

const MiB = 2 ** 20

function probe(rssMiB: number[]) {
  const state: { rss: number; now: number; gcs: number; afterGc: number[] } = {
    rss: rssMiB[0]! * MiB,
    now: 0,
    gcs: 0,
    afterGc: [...rssMiB.slice(1)],
  }
  return {
    state,
    residentBytes: () => state.rss,
    collectGarbage() {
      state.gcs++
      const next = state.afterGc.shift()
      if (next !== undefined) state.rss = next * MiB
    },
    now: () => state.now,
  }
}

const LIMITS = { budget: 100 * MiB, soft: 0.8, hard: 0.9 }

test('below the soft limit: admitted, no collection; the body counts until released', () => {
  const p = probe([50])
  const m = createMemoryLimiter(LIMITS, p)
  const a = m.admit(20 * MiB)
  assert.equal(a.ok, true)
  assert.equal(m.usedBytes(), 70 * MiB)
  // 70 + 20 > 80: the second body does not fit while the first is held; a collection does not help
  const b = m.admit(20 * MiB)
  assert.deepEqual(b, { ok: false, over: 'soft', usedBytes: 70 * MiB, limitBytes: 80 * MiB })
  assert.equal(p.state.gcs, 1)
  if (a.ok) a.release()
  if (a.ok) a.release() // twice is once
  assert.equal(m.usedBytes(), 50 * MiB)
  assert.equal(m.admit(20 * MiB).ok, true)
})

test('above soft: a collection that brings memory down admits; one every 200 ms at most', () => {
  const p = probe([85, 60])
  const m = createMemoryLimiter(LIMITS, p)
  assert.equal(m.admit(1 * MiB).ok, true)
  assert.equal(p.state.gcs, 1)
  p.state.rss = 82 * MiB
  p.state.now = 199
  assert.deepEqual(m.admit(0), { ok: false, over: 'soft', usedBytes: 83 * MiB, limitBytes: 80 * MiB })
  assert.equal(p.state.gcs, 1, 'no second collection within 200 ms')
  p.state.now = 200
  assert.equal(m.admit(0).ok, false)
  assert.equal(p.state.gcs, 2)
})

test('above hard: a collection every 100 ms at most (not once a second); refused while it stays above', () => {
  const p = probe([95, 95, 95])
  const m = createMemoryLimiter(LIMITS, p)
  assert.deepEqual(m.admit(0), { ok: false, over: 'hard', usedBytes: 95 * MiB, limitBytes: 90 * MiB })
  p.state.now = 99
  assert.deepEqual(m.admit(0), { ok: false, over: 'hard', usedBytes: 95 * MiB, limitBytes: 90 * MiB })
  assert.equal(p.state.gcs, 1)
  p.state.now = 100
  assert.equal(m.admit(0).ok, false)
  assert.equal(p.state.gcs, 2)
  assert.equal(m.over(), true)
  p.state.rss = 10 * MiB
  assert.equal(m.over(), false)
})

test('no budget: everything is admitted and nothing is collected', () => {
  const p = probe([10_000])
  const m = createMemoryLimiter({ budget: null, soft: 0.8, hard: 0.9 }, p)
  assert.equal(m.admit(10_000 * MiB).ok, true)
  assert.equal(m.over(), false)
  assert.equal(p.state.gcs, 0)
})

test('what a body costs while it is handled: 6 × its size; compressed, 10 × on the wire at most max-body-bytes; undeclared, max-body-bytes', async () => {
  const { bodyCost } = await import('../../src/ingest/ingest-gate.ts')
  assert.equal(bodyCost(1000, false, 16 * MiB), 6000)
  assert.equal(bodyCost(1000, true, 16 * MiB), 60_000)
  assert.equal(bodyCost(4 * MiB, true, 16 * MiB), 96 * MiB)
  assert.equal(bodyCost(undefined, false, 16 * MiB), 96 * MiB)
  // a remote-write body: snappy (×10 at most), and its decoded series cost 15× their bytes
  assert.equal(bodyCost(330_000, true, 16 * MiB, 15), 330_000 * 10 * 15)
})
