// Admission that waits (the ClickHouse source): backoff 50 ms doubling to 2 s while full, halves
// for a group larger than the queues, and a prefix when the source stops.
import test from 'node:test'
import assert from 'node:assert/strict'
import { admitWaiting } from '../../src/ingest/admit-waiting.ts'
import { createEntry } from '../../src/ingest/entry.ts'
import { createRelayMetrics } from '../../src/observe/relay-metrics.ts'
import type { Admission, RecordGroup } from '../../src/pipeline/admission.ts'
import { createManualClock } from '../helpers/manual-clock.ts'
import { records } from './fake-exporter.ts'

const NET = 'flow_metrics.network.1m'

function setup(answer: (group: RecordGroup, attempt: number) => Admission) {
  const clock = createManualClock()
  const metrics = createRelayMetrics()
  const stop = new AbortController()
  const sleeps: number[] = []
  const tried: number[] = []
  const sleep = clock.sleep
  clock.sleep = (ms, signal) => (sleeps.push(ms), sleep(ms, signal))
  let waits = 0
  const deps = {
    entry: createEntry(metrics),
    admit: (groups: readonly RecordGroup[]) => (tried.push(groups[0]!.records.length), answer(groups[0]!, tried.length - 1)),
    clock,
    signal: stop.signal,
    onWait: () => waits++,
  }
  return { clock, metrics, stop, sleeps, tried, deps, waits: () => waits }
}

test('while full it waits 50, 100, 200 … 2000 ms between tries, then admits and counts the records once', async () => {
  const s = setup((_g, attempt) => (attempt < 8 ? { status: 'full', exporter: 'x' } : { status: 'accepted' }))
  const done = admitWaiting(s.deps, NET, records(3))
  await s.clock.advance(50 + 100 + 200 + 400 + 800 + 1600 + 2000 + 2000)
  assert.equal(await done, 3)
  assert.deepEqual(s.sleeps, [50, 100, 200, 400, 800, 1600, 2000, 2000])
  assert.equal(s.waits(), 8)
  assert.equal(s.metrics.received.get([NET]), 3)
})

test('a group larger than the queues goes in halves, in order', async () => {
  const s = setup((g) => (g.records.length > 2 ? { status: 'never', exporter: 'x' } : { status: 'accepted' }))
  assert.equal(await admitWaiting(s.deps, NET, records(7)), 7)
  assert.deepEqual(s.tried, [7, 4, 2, 2, 3, 2, 1])
  assert.equal(s.metrics.received.get([NET]), 7)
})

test('stopped while waiting: the records admitted so far, a prefix', async () => {
  const s = setup((
    g,
  ) => (g.records.length > 2
    ? { status: 'never', exporter: 'x' }
    : g.records[0]!.timeUs < 2
    ? { status: 'accepted' }
    : { status: 'full', exporter: 'x' })
  )
  const done = admitWaiting(s.deps, NET, records(4))
  await s.clock.advance(50)
  s.stop.abort()
  assert.equal(await done, 2)
  assert.deepEqual(s.sleeps, [50, 100])
})

test('a durable buffer (sync-interval 0): done only once the records are synced; a failed sync, or a buffer that cannot be written, is waited out', async () => {
  let synced: (r: { ok: true }) => void = () => {}
  const durable = new Promise<{ ok: true }>((r) => (synced = r))
  const s = setup((_g, attempt) =>
    attempt === 0
      ? { status: 'unavailable', exporter: 'x', error: 'EIO' }
      : attempt === 1
      ? { status: 'accepted', durable: Promise.resolve({ ok: false, code: 'EIO', error: 'syncing: EIO' }) }
      : { status: 'accepted', durable }
  )
  let done: number | undefined
  void admitWaiting(s.deps, NET, records(3)).then((n) => (done = n))
  await s.clock.advance(50 + 100)
  assert.deepEqual(s.tried, [3, 3, 3])
  assert.equal(done, undefined)
  synced({ ok: true })
  await s.clock.advance(0)
  assert.equal(done, 3)
  assert.equal(s.waits(), 2)
})
