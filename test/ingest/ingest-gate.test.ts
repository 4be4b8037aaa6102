// The ingest gate's forecast refusal alone, with a stand-in exporter whose room and queue bound are
// set by hand: after one request was learnt, a declared body guessed larger than the room is refused
// unread (429 queue_full), one that fits passes, and one declared over FORECAST_MAX_BODY passes
// whatever the guess (refused unread, a large upload may see its connection reset); bodies being read
// hold the room they are expected to take until they are done or refused.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createConcurrencyGate } from '../../src/ingest/concurrency-gate.ts'
import { createIngestGate, FORECAST_MAX_BODY, JSON_BODY } from '../../src/ingest/ingest-gate.ts'
import { createMemoryLimiter } from '../../src/ingest/memory-limiter.ts'
import { createLogger } from '../../src/observe/log.ts'
import { createRelayMetrics } from '../../src/observe/relay-metrics.ts'
import type { Exporter, Staged } from '../../src/pipeline/exporter.ts'
import type { Sized } from '../../src/pipeline/send-result.ts'
import { createManualClock } from '../helpers/manual-clock.ts'

const NET = 'flow_metrics.network.1s'
const GiB = 2 ** 30

function gateWithRoom(room: () => number, concurrency = 4) {
  const clock = createManualClock(0)
  const metrics = createRelayMetrics()
  const gate = createIngestGate({
    memory: createMemoryLimiter({ budget: null, unbudgetedTarget: null, soft: 0.8, hard: 0.9 }, {
      residentBytes: () => 0,
      collectGarbage: () => {},
      now: clock.now,
    }),
    concurrency: createConcurrencyGate(concurrency, 1000, clock),
    maxBodyBytes: 64 * 2 ** 20,
    refused: metrics.requestsRefused,
    log: createLogger({ write: () => {}, now: clock.now, level: 'error' }),
  })
  const exporter = {
    config: { name: 'rw', queueMaxBytes: GiB },
    isFull: () => false,
    roomBytes: room,
  } as unknown as Exporter<Sized>
  return { gate, exporter, metrics, clock }
}

const request = (length: number) =>
  new Request('http://relay/v1/records/x', { method: 'POST', headers: { 'Content-Length': String(length) } })

/** Teaches the gate that a body of `declared` bytes took `bytes` in the exporter's queues. */
async function learnt(g: ReturnType<typeof gateWithRoom>, declared: number, bytes: number) {
  const first = await g.gate.pass(request(declared), [g.exporter], JSON_BODY, NET)
  assert.equal(first.ok, true)
  if (!first.ok) return
  first.learn([[g.exporter, NET, { perQueue: [], bytes, filtered: 0, tooLarge: 0 } satisfies Staged<Sized>]])
  first.done()
}

test('a declared body over FORECAST_MAX_BODY is let through to be read, however little room the guess finds', async () => {
  const { gate, exporter } = gateWithRoom(() => 1000)
  const first = await gate.pass(request(1000), [exporter], JSON_BODY, NET)
  assert.equal(first.ok, true, 'nothing learnt yet: no guess')
  if (!first.ok) return
  first.learn([[exporter, NET, { perQueue: [], bytes: 3000, filtered: 0, tooLarge: 0 } satisfies Staged<Sized>]])
  first.done()
  const small = await gate.pass(request(300), [exporter], JSON_BODY, NET)
  assert.equal(small.ok, true, '300 × 3 × 0.9 = 810 bytes fit in 1000')
  if (small.ok) small.done()
  const over = await gate.pass(request(400), [exporter], JSON_BODY, NET)
  assert.deepEqual(over.ok ? 'passed' : [over.status, over.reason], [429, 'queue_full'], '1080 bytes do not fit')
  const large = await gate.pass(request(FORECAST_MAX_BODY + 1), [exporter], JSON_BODY, NET)
  assert.equal(large.ok, true, 'over FORECAST_MAX_BODY: read, and refused once staged if it does not fit')
  if (large.ok) large.done()
})

test('bodies being read hold the room they are expected to take: a second one that would fit only without the first is refused unread; done, the room is free again', async () => {
  const g = gateWithRoom(() => 1000)
  await learnt(g, 1000, 3000) // 3 bytes queued per byte of body: 0.9 × 3 = 2.7 expected
  const a = await g.gate.pass(request(200), [g.exporter], JSON_BODY, NET)
  assert.equal(a.ok, true, '540 bytes expected, 1000 of room')
  const b = await g.gate.pass(request(200), [g.exporter], JSON_BODY, NET)
  assert.deepEqual(b.ok ? 'passed' : [b.status, b.reason], [429, 'queue_full'], '540 more do not fit beside the 540 promised')
  assert.equal(
    b.ok ? '' : b.error,
    'queues of exporter "rw" have 1000 bytes of room (540 of them promised to bodies being read); a body like this one takes about 540; retry later',
  )
  const c = await g.gate.pass(request(150), [g.exporter], JSON_BODY, NET)
  assert.equal(c.ok, true, '405 fit beside the 540')
  if (a.ok) a.done()
  if (c.ok) c.done()
  const d = await g.gate.pass(request(350), [g.exporter], JSON_BODY, NET)
  assert.equal(d.ok, true, 'both done: 945 bytes fit in 1000 again')
  if (d.ok) d.done()
  assert.equal(g.metrics.requestsRefused.get(['queue_full']), 1)
})

test('a body refused after its room was promised (no concurrency slot) gives the room back', async () => {
  const g = gateWithRoom(() => 1000, 1)
  await learnt(g, 1000, 3000)
  const holder = await g.gate.pass(request(100), [g.exporter], JSON_BODY, NET) // 270 promised, the only slot taken
  assert.equal(holder.ok, true)
  const waiting = g.gate.pass(request(100), [g.exporter], JSON_BODY, NET) // 270 more promised while it waits
  await g.clock.advance(1000)
  const refused = await waiting
  assert.deepEqual(refused.ok ? 'passed' : refused.reason, 'concurrency')
  const over = await g.gate.pass(request(300), [g.exporter], JSON_BODY, NET)
  assert.equal(
    over.ok ? '' : over.error,
    'queues of exporter "rw" have 1000 bytes of room (270 of them promised to bodies being read); a body like this one takes about 810; retry later',
    "only the holder's 270 are still promised",
  )
  if (holder.ok) holder.done()
})
