// The tap hub alone: sampling with an injected clock, the bounded buffer's cut-off, limit, close.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createTapHub, type TapHub, TapSampler } from '../../src/pipeline/tap-hub.ts'

interface Item {
  readonly n: number
  readonly bytes: number
  readonly units: number
}

const item = (n: number, units = 1): Item => ({ n, bytes: 10, units })

function hub(now: () => number, maxLinesPerSecond?: number): { hub: TapHub<Item>; rendered: number[] } {
  const rendered: number[] = []
  const h = createTapHub<Item>({
    now,
    render: (_ds, it) => {
      rendered.push(it.n)
      return Array.from({ length: it.units }, (_, i) => JSON.stringify({ n: it.n, i }))
    },
    ...(maxLinesPerSecond === undefined ? {} : { maxLinesPerSecond }),
  })
  return { hub: h, rendered }
}

const ns = (lines: string[]) => lines.map((l) => (JSON.parse(l) as { n: number }).n)

test('sampler: every record while at most 1000 lines come per second', () => {
  const s = new TapSampler()
  let taken = 0
  for (let second = 0; second < 3; second++) {
    for (let i = 0; i < 1000; i++) if (s.take(1, second * 1000 + i)) taken++
  }
  assert.equal(taken, 3000)
})

test('sampler: above 1000 lines/s, 1 record in ceil(rate/1000), fair across the second, at most 1000 lines per second', () => {
  const s = new TapSampler()
  const perSecond: number[][] = []
  for (let second = 0; second < 4; second++) {
    const taken: number[] = []
    // 5000 records spread over the second.
    for (let i = 0; i < 5000; i++) if (s.take(1, second * 1000 + Math.floor(i / 5))) taken.push(i)
    perSecond.push(taken)
  }
  // The first second knows no previous rate: k grows with the count, capped at 1000 lines.
  assert.equal(perSecond[0]!.length, 1000)
  // From then on the previous second's rate (5000) gives k = 5: exactly every 5th record.
  for (const taken of perSecond.slice(1)) {
    assert.equal(taken.length, 1000)
    assert.deepEqual(taken, Array.from({ length: 1000 }, (_, j) => j * 5))
  }
})

test('sampler: the rate is the larger of the previous and the current second; a quiet second resets it', () => {
  const s = new TapSampler()
  for (let i = 0; i < 3000; i++) s.take(1, 0)
  // Second 1: only 10 records, but the previous second had 3000: 1 in 3.
  let taken = 0
  for (let i = 0; i < 9; i++) if (s.take(1, 1000)) taken++
  assert.equal(taken, 3)
  // Second 3 (second 2 was empty): every record again.
  taken = 0
  for (let i = 0; i < 10; i++) if (s.take(1, 3000)) taken++
  assert.equal(taken, 10)
})

test('sampler: counts lines, so records of many series are sampled by their series rate, whole', () => {
  const s = new TapSampler()
  let lines = 0
  // 200 records of 20 series each = 4000 lines per second.
  for (let second = 0; second < 3; second++) {
    lines = 0
    for (let i = 0; i < 200; i++) if (s.take(20, second * 1000 + i)) lines += 20
  }
  assert.equal(lines, 1000) // k = 4: 50 records of 20 lines
})

test('hub: nothing is rendered while nobody listens; listening follows the subscribers', () => {
  const { hub: h, rendered } = hub(() => 0)
  assert.equal(h.listening, false)
  const sub = h.subscribe({ dataSource: null, limit: 2 })
  assert.equal(h.listening, true)
  h.offer('a', [item(1), item(2), item(3)])
  assert.deepEqual(ns(sub.take()), [1, 2])
  assert.equal(sub.finished, true)
  assert.equal(sub.ended, 'limit')
  assert.equal(h.listening, false)
  assert.deepEqual(rendered, [1, 2])
  assert.deepEqual(h.stats(), { offered: 2, rendered: 2 })
})

test('hub: limit counts lines, also inside a record of several series, with no final line', () => {
  const { hub: h } = hub(() => 0)
  const sub = h.subscribe({ dataSource: null, limit: 3 })
  h.offer('a', [item(1, 2), item(2, 2)])
  const lines = sub.take()
  assert.deepEqual(lines, ['{"n":1,"i":0}', '{"n":1,"i":1}', '{"n":2,"i":0}'])
  assert.equal(sub.finished, true)
})

test('hub: a reader that lets its buffer fill is cut off with a final line; the offerer never waits', () => {
  const { hub: h, rendered } = hub(() => 0)
  const slow = h.subscribe({ dataSource: null, limit: null, bufferLines: 3 })
  const fast = h.subscribe({ dataSource: null, limit: null, bufferLines: 3 })
  h.offer('a', [item(1), item(2)])
  assert.deepEqual(ns(fast.take()), [1, 2])
  h.offer('a', [item(3), item(4), item(5)])
  assert.equal(slow.ended, 'slow_reader')
  assert.equal(fast.ended, null)
  assert.equal(h.subscribers(), 1)
  const lines = slow.take()
  assert.deepEqual(ns(lines.slice(0, 3)), [1, 2, 3])
  assert.equal(lines.length, 4)
  const last = JSON.parse(lines[3]!) as Record<string, unknown>
  assert.equal(last.tap, 'closed')
  assert.equal(last.reason, 'slow_reader')
  assert.equal(last.lines, 3)
  assert.match(String(last.detail), /slow reader/)
  assert.equal(slow.finished, true)
  assert.deepEqual(ns(fast.take()), [3, 4, 5])
  // Items are rendered once however many subscribers take them.
  assert.deepEqual(rendered, [1, 2, 3, 4, 5])
})

test('hub: the buffer is bounded in bytes too', () => {
  const { hub: h } = hub(() => 0)
  const sub = h.subscribe({ dataSource: null, limit: null, bufferBytes: 30 })
  h.offer('a', [item(1), item(2), item(3)]) // 13 characters a line
  assert.equal(sub.ended, 'slow_reader')
  assert.equal(sub.take().length, 3) // two lines and the final one
})

test('hub: a data-source subscriber sees only that source, and its sampling counts only that source', () => {
  let now = 0
  const { hub: h } = hub(() => now)
  const sub = h.subscribe({ dataSource: 'b', limit: null, bufferLines: 100_000 })
  for (now = 0; now < 3000; now += 100) {
    h.offer('a', Array.from({ length: 500 }, (_, i) => item(i)))
    h.offer('b', [item(now)])
  }
  const lines = sub.take()
  assert.equal(lines.length, 30)
  assert.equal(sub.stats.sampledOut, 0)
})

test('hub: sampling through the hub with a clock, sampled-out records counted', () => {
  let now = 0
  const { hub: h, rendered } = hub(() => now, 10)
  const sub = h.subscribe({ dataSource: null, limit: null, bufferLines: 1000 })
  for (now = 0; now < 3000; now += 100) h.offer('a', Array.from({ length: 4 }, (_, i) => item(now + i))) // 40 per second
  const lines = sub.take()
  // Second 0: capped at 10; seconds 1 and 2: 1 in 4 → 10 each.
  assert.equal(lines.length, 30)
  assert.equal(sub.stats.sampledOut, 90)
  assert.equal(rendered.length, 30)
})

test('hub: close ends every subscriber with a final line, and later subscribers at once', async () => {
  const { hub: h } = hub(() => 0)
  const sub = h.subscribe({ dataSource: null, limit: null })
  const woken = sub.wait()
  h.close()
  await woken
  const lines = sub.take()
  assert.equal(lines.length, 1)
  assert.equal((JSON.parse(lines[0]!) as { reason: string }).reason, 'exporter_stopped')
  const late = h.subscribe({ dataSource: null, limit: null })
  assert.equal(late.ended, 'exporter_stopped')
  assert.equal(h.listening, false)
})

test('hub: a cancelled reader leaves and drops what waits', () => {
  const { hub: h } = hub(() => 0)
  const sub = h.subscribe({ dataSource: null, limit: null })
  h.offer('a', [item(1)])
  sub.cancel()
  assert.equal(h.listening, false)
  assert.deepEqual(sub.take(), [])
  assert.equal(sub.finished, true)
})
