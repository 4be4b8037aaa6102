// The ingest gate's forecast refusal alone, with a stand-in exporter whose room and queue bound are
// set by hand: after one request was learnt, a declared body guessed larger than the room is refused
// unread (429 queue_full), one that fits passes, and one declared over FORECAST_MAX_BODY passes
// whatever the guess (refused unread, a large upload may see its connection reset).
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

test('a declared body over FORECAST_MAX_BODY is let through to be read, however little room the guess finds', async () => {
  const clock = createManualClock(0)
  const metrics = createRelayMetrics()
  const gate = createIngestGate({
    memory: createMemoryLimiter({ budget: null, unbudgetedTarget: null, soft: 0.8, hard: 0.9 }, {
      residentBytes: () => 0,
      collectGarbage: () => {},
      now: clock.now,
    }),
    concurrency: createConcurrencyGate(4, 1000, clock),
    maxBodyBytes: 64 * 2 ** 20,
    refused: metrics.requestsRefused,
    log: createLogger({ write: () => {}, now: clock.now, level: 'error' }),
  })
  const exporter = {
    config: { name: 'rw', queueMaxBytes: GiB },
    isFull: () => false,
    roomBytes: () => 1000,
  } as unknown as Exporter<Sized>
  const request = (length: number) =>
    new Request('http://relay/v1/records/x', { method: 'POST', headers: { 'Content-Length': String(length) } })
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
