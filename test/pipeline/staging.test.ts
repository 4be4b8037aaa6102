// Staging a request record by record stops encoding as soon as the verdict is certain: with
// relay.overflow reject, once what is staged no longer fits beside what the queues hold (429), and,
// whatever the overflow, once what is staged alone passes the queue bounds (413). The items staged so
// far are let go; the records still count (as refused), only their encoding is saved.
import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config-file/load.ts'
import type { Overflow } from '../../src/config/types.ts'
import { createLogger } from '../../src/observe/log.ts'
import { createRelayMetrics } from '../../src/observe/relay-metrics.ts'
import { admitStagings, startStaging } from '../../src/pipeline/admission.ts'
import { createExporter } from '../../src/pipeline/exporter.ts'
import type { Sized } from '../../src/pipeline/send-result.ts'
import { DEFAULT_RETRY } from '../../src/pipeline/worker.ts'
import type { DeepFlowRecord } from '../../src/record/normalize.ts'
import { createManualClock } from '../helpers/manual-clock.ts'

const NET = 'flow_metrics.network.1m'
const record: DeepFlowRecord = { values: [], timeUs: 0 }

/** A stdout-like exporter (1 queue) whose items are 100 bytes and whose sink never answers; counts encodings. */
function exporter(overflow: Overflow, bounds: string) {
  const config = parseConfig(
    `exporters:\n  - {protocol: stdout, enabled: true, data-sources: [${NET}], export-fields: [$tag], queue-count: 1, batch-size: 1000, flush-timeout: 60, ${bounds}}\n`,
    'test.yaml',
  ).exporters[0]!
  const clock = createManualClock()
  let encoded = 0
  const e = createExporter<Sized>({
    config,
    overflow,
    plans: new Map([[NET, {
      filter: null,
      encode: () => (encoded++, { item: { bytes: 100, units: 1 }, seriesHash: 0 }),
    }]]),
    sinkFor: () => ({ send: () => new Promise(() => {}), close: () => Promise.resolve() }),
    endpoints: ['stdout'],
    close: () => Promise.resolve(),
    clock,
    log: createLogger({ write: () => {}, now: clock.now, level: 'error' }),
    metrics: createRelayMetrics(),
    retry: DEFAULT_RETRY,
  })
  const offer = (n: number) => {
    const staging = startStaging(NET, [e])
    for (let i = 0; i < n; i++) staging.add(record)
    return { admission: admitStagings([staging]), count: staging.count }
  }
  return { e, offer, encoded: () => encoded }
}

test('reject: a request that stops fitting beside the queued records is settled as full; the rest is not encoded', () => {
  const x = exporter('reject', 'queue-max-bytes: 1000')
  assert.deepEqual(x.offer(7).admission, { status: 'accepted' })
  assert.equal(x.encoded(), 7)
  // 700 bytes held: the 4th record of the next request passes 1000; the other 6 are parsed, not encoded.
  const r = x.offer(10)
  assert.deepEqual(r.admission, { status: 'full', exporter: 'stdout-0' })
  assert.equal(r.count, 10, 'every record still counts (refused)')
  assert.equal(x.encoded(), 7 + 4)
  assert.deepEqual(x.e.held(), { records: 7, bytes: 700 })
  // What still fits is admitted.
  assert.deepEqual(x.offer(3).admission, { status: 'accepted' })
  assert.deepEqual(x.e.held(), { records: 10, bytes: 1000 })
})

test('reject: queue-size counts the same way', () => {
  const x = exporter('reject', 'queue-size: 5')
  assert.deepEqual(x.offer(4).admission, { status: 'accepted' })
  assert.deepEqual(x.offer(5).admission, { status: 'full', exporter: 'stdout-0' })
  assert.equal(x.encoded(), 4 + 2)
})

test('whatever the overflow, a request larger than the queue alone is settled as never (413) once it passes the bound', () => {
  for (const overflow of ['reject', 'drop-oldest'] as const) {
    const x = exporter(overflow, 'queue-max-bytes: 1000')
    assert.deepEqual(x.offer(50).admission, { status: 'never', exporter: 'stdout-0' }, overflow)
    assert.equal(x.encoded(), 11, overflow)
    assert.deepEqual(x.e.held(), { records: 0, bytes: 0 })
  }
})

test('drop-oldest: never settled as full; the request is encoded in full and the oldest are evicted', () => {
  const x = exporter('drop-oldest', 'queue-max-bytes: 1000')
  assert.deepEqual(x.offer(7).admission, { status: 'accepted' })
  assert.deepEqual(x.offer(10).admission, { status: 'accepted' })
  assert.equal(x.encoded(), 17)
  assert.deepEqual(x.e.held(), { records: 10, bytes: 1000 })
})
