// The memory limiter against a scripted resident set: admitted below the soft limit, refused above
// it after one collection a second, refused at once above the hard limit (collecting at once), the
// declared sizes of admitted bodies counted until released, and no budget meaning no limit; the
// pacing of collections as work finishes, against the budget or, without one, the configured need.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createMemoryLimiter, YOUNG_EVERY_BYTES } from '../../src/ingest/memory-limiter.ts'

const MiB = 2 ** 20

function probe(rssMiB: number[]) {
  const state: { rss: number; now: number; gcs: number; afterGc: number[]; returned: boolean[] } = {
    rss: rssMiB[0]! * MiB,
    now: 0,
    gcs: 0,
    afterGc: [...rssMiB.slice(1)],
    returned: [],
  }
  return {
    state,
    residentBytes: () => state.rss,
    collectGarbage(returnMemory: boolean) {
      state.gcs++
      state.returned.push(returnMemory)
      const next = state.afterGc.shift()
      if (next !== undefined) state.rss = next * MiB
    },
    now: () => state.now,
  }
}

const LIMITS = { budget: 100 * MiB, unbudgetedTarget: null, soft: 0.8, hard: 0.9 }

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
  p.state.rss = 10 * MiB
  assert.equal(m.admit(0).ok, true)
})

test('no budget: everything is admitted and nothing is collected', () => {
  const p = probe([10_000])
  const m = createMemoryLimiter({ budget: null, unbudgetedTarget: null, soft: 0.8, hard: 0.9 }, p)
  assert.equal(m.admit(10_000 * MiB).ok, true)
  assert.equal(p.state.gcs, 0)
})

test('pacing: work done collects once the resident set passes 1.5 × what the last collection left, kept within 60–75 % of the budget, every 100 ms at most', () => {
  const p = probe([40, 30, 60, 60])
  const m = createMemoryLimiter(LIMITS, p)
  /** Work done at `now` with the resident set at `rssMiB` (else as it is): the collections so far. */
  const gcsAfter = (now: number, rssMiB?: number) => {
    p.state.now = now
    if (rssMiB !== undefined) p.state.rss = rssMiB * MiB
    const a = m.admit(0)
    assert.equal(a.ok, true)
    if (a.ok) a.release()
    return p.state.gcs
  }
  assert.equal(gcsAfter(1000), 0, '40 MiB: under the floor of 60 % of the budget')
  assert.equal(gcsAfter(1009, 65), 0, 'the resident set is looked at every 10 ms at most')
  assert.equal(gcsAfter(1010), 1, '65 MiB > 60: collected (down to 30)')
  assert.equal(gcsAfter(1109, 62), 1, 'not within 100 ms of the last one')
  assert.equal(gcsAfter(1110), 2, 'the line is max(60, 1.5 × 30) = 60')
  // 60 MiB stayed alive: the line rises to 1.5 × 60 = 90, capped at 75 % of the budget
  assert.equal(gcsAfter(2000, 74), 2)
  assert.equal(gcsAfter(2010, 76), 3)
  assert.deepEqual(p.state.returned, [true, true, true], 'with a budget the freed pages go back at once')
})

test('no budget: paced against the configured need (Σ queue-max-bytes + reserve), nothing ever refused', () => {
  const p = probe([100, 20])
  const m = createMemoryLimiter({ budget: null, unbudgetedTarget: 164 * MiB, soft: 0.8, hard: 0.9 }, p)
  const a = m.admit(10_000 * MiB)
  assert.equal(a.ok, true)
  if (a.ok) a.release()
  assert.equal(p.state.gcs, 1, '100 MiB > 60 % of 164 MiB')
  assert.deepEqual(p.state.returned, [false], 'without a budget the allocator keeps them for reuse')
  p.state.rss = 10_000 * MiB
  assert.equal(m.admit(1).ok, true)
})

test('no budget: the whole resident set (the mapped executable too) is paced where reported; over 90 % of the need the collection gives the pages back, at most every 500 ms', () => {
  const { p, h, gcsAfter } = paced(140, 164, 'residentSetBytes')
  h.after = 120 * MiB
  const doneAt = (now: number, setMiB: number) => (gcsAfter(now, setMiB), p.state.returned)
  assert.deepEqual(doneAt(1000, 140), [false], '140 MiB > 60 % of 164, though the anonymous set is 30 MiB: collected, pages kept')
  // 120 MiB left: half again is 180, past the top of the range (90 % of 164 = 147.6 MiB).
  assert.deepEqual(doneAt(1100, 147), [false])
  assert.deepEqual(doneAt(1110, 148), [false, true], 'past 147.6 MiB: the set must fall, the pages are given back')
  // Full queues: the collection left 150 MiB, over the top. Pages go back every 500 ms at most.
  h.after = 150 * MiB
  assert.deepEqual(doneAt(1300, 152), [false, true], 'over the top within 500 ms of the last one: nothing yet')
  assert.deepEqual(doneAt(1600, 160), [false, true], '490 ms after it')
  assert.deepEqual(doneAt(1610, 152), [false, true, true], '500 ms after the last one: the pages go back again')
  assert.deepEqual(doneAt(2200, 147), [false, true, true], 'under the top: nothing to give back')
})

test('no budget, over the top: the heap line, due every 100 ms under load, does not keep the collection that gives pages back from coming', () => {
  const p = probe([30])
  const h = { heap: 100 * MiB, set: 150 * MiB }
  const m = createMemoryLimiter({ budget: null, unbudgetedTarget: 164 * MiB, soft: 0.8, hard: 0.9 }, {
    ...p,
    heapBytes: () => h.heap,
    residentSetBytes: () => h.set,
    collectGarbage(returnMemory: boolean) {
      p.collectGarbage(returnMemory)
      h.heap = 100 * MiB
    },
  })
  for (let now = 1000; now <= 2000; now += 100) {
    p.state.now = now
    h.heap = 103 * MiB // 3 MiB of garbage every 100 ms: past the heap line (2 MiB, the queues are full)
    m.pace()
  }
  assert.deepEqual(
    p.state.returned,
    [true, false, false, false, false, true, false, false, false, false, true],
    'one collection every 100 ms; every fifth gives the pages back (the set stays over 147.6 MiB)',
  )
})

test('what a body costs while it is handled: 6 × its size; compressed, 10 × on the wire at most max-body-bytes; undeclared, max-body-bytes', async () => {
  const { bodyCost, REMOTE_WRITE_BODY } = await import('../../src/ingest/ingest-gate.ts')
  assert.equal(bodyCost(1000, false, 16 * MiB), 6000)
  assert.equal(bodyCost(1000, true, 16 * MiB), 60_000)
  assert.equal(bodyCost(4 * MiB, true, 16 * MiB), 96 * MiB)
  assert.equal(bodyCost(undefined, false, 16 * MiB), 96 * MiB)
  // a remote-write body: snappy (×10 at most), and its decoded series cost 6× their bytes
  assert.equal(bodyCost(330_000, true, 16 * MiB, REMOTE_WRITE_BODY.costFactor), 330_000 * 10 * 6)
})

/**
 * A limiter without a budget, paced against `targetMiB`, whose heap (or, `reading` residentSetBytes,
 * whole resident set) is `h.heap` (`h.after` once collected); the anonymous resident set stays 30 MiB.
 */
function paced(heapMiB: number, targetMiB: number, reading: 'heapBytes' | 'residentSetBytes' = 'heapBytes') {
  const p = probe([30])
  const h = { heap: heapMiB * MiB, after: heapMiB * MiB }
  const m = createMemoryLimiter({ budget: null, unbudgetedTarget: targetMiB * MiB, soft: 0.8, hard: 0.9 }, {
    ...p,
    [reading]: () => h.heap,
    collectGarbage(returnMemory: boolean) {
      p.collectGarbage(returnMemory)
      h.heap = h.after
    },
  })
  /** Work done at `now` with the heap at `heapMiB`: the collections so far. */
  const gcsAfter = (now: number, heapMiB: number) => {
    p.state.now = now
    h.heap = heapMiB * MiB
    const a = m.admit(0)
    assert.equal(a.ok, true)
    if (a.ok) a.release()
    return p.state.gcs
  }
  return { p, h, m, gcsAfter }
}

test('the heap line: where the runtime reports its heap, work done collects once it passed what the last collection left by 16 MiB, keeping the pages; every 100 ms at most', () => {
  const { p, h, gcsAfter } = paced(40, 1024)
  h.after = 42 * MiB
  assert.equal(gcsAfter(1000, 56), 0, '56 MiB: not past 40 + 16')
  assert.equal(gcsAfter(1009, 57), 0, 'the heap is looked at every 10 ms at most')
  assert.equal(gcsAfter(1010, 57), 1, '57 MiB > 40 + 16, although the resident set (30 MiB) is far from its line')
  assert.deepEqual(p.state.returned, [false], 'the freed pages are kept for reuse')
  assert.equal(gcsAfter(1109, 100), 1, 'not within 100 ms of the last one')
  assert.equal(gcsAfter(1110, 100), 2, 'the line is now 42 (left) + 16')
  assert.equal(gcsAfter(1300, 58), 2)
})

test('the heap line tightens to 2 MiB once what the last collection left is over a third of the target (the queues are filling)', () => {
  const { h, gcsAfter } = paced(10, 164)
  h.after = 60 * MiB
  assert.equal(gcsAfter(1000, 27), 1, '27 > 10 + 16')
  assert.equal(gcsAfter(1100, 62), 1, '60 MiB left > 164 / 3: the line is 60 + 2')
  h.after = 20 * MiB
  assert.equal(gcsAfter(1110, 63), 2, '63 > 60 + 2')
  assert.equal(gcsAfter(1300, 35), 2, '20 MiB left: back to 20 + 16')
})

test('while a body is parsed: a young collection every 256 KiB of it, and a look at the lines then, with no request done', () => {
  const p = probe([30])
  const h = { heap: 40 * MiB, young: 0 }
  const m = createMemoryLimiter({ budget: null, unbudgetedTarget: 1024 * MiB, soft: 0.8, hard: 0.9 }, {
    ...p,
    heapBytes: () => h.heap,
    collectYoung: () => h.young++,
    collectGarbage(returnMemory: boolean) {
      p.collectGarbage(returnMemory)
      h.heap = 40 * MiB
    },
  })
  p.state.now = 1000
  m.consumed(YOUNG_EVERY_BYTES - 1)
  assert.equal(h.young, 0)
  h.heap = 57 * MiB // past the heap line (40 + 16), with the request still being parsed
  m.consumed(1)
  assert.deepEqual([h.young, p.state.gcs], [1, 1], 'the 256th KiB: a young collection, and the heap line is looked at')
  m.consumed(YOUNG_EVERY_BYTES / 2)
  m.consumed(YOUNG_EVERY_BYTES / 2 - 1)
  assert.equal(h.young, 1, 'the count starts again')
  m.consumed(1)
  assert.equal(h.young, 2)
})

test('pace(): a batch that left a queue looks at the lines as finished ingest does (a queue draining with no ingest)', () => {
  const { p, h, m, gcsAfter } = paced(40, 1024)
  h.after = 40 * MiB
  assert.equal(gcsAfter(1000, 20), 0)
  p.state.now = 2000
  h.heap = 57 * MiB
  m.pace()
  assert.equal(p.state.gcs, 1, 'past 40 + 16: collected')
  p.state.now = 2099
  h.heap = 80 * MiB
  m.pace()
  assert.equal(p.state.gcs, 1, 'not within 100 ms of the last one')
})
