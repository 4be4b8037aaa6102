// What a remote-write queue reuses instead of leaving to the collector: the buffer of a body its
// receiver took holds the queue's next body, and a batch's fragments go back to their slabs once
// it left the worker. Buffer identity cannot be seen from a real receiver, so the fetch here is
// scripted; receivers.test.ts and faults.test.ts send the same bodies to real servers.
import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../../src/config-file/load.ts'
import { createRemoteWriteSinks, MAX_SPARE_BODY } from '../../../src/exporters/remote-write/sender.ts'
import type { SeriesItem } from '../../../src/exporters/remote-write/rw-plan.ts'
import { createLogger } from '../../../src/observe/log.ts'
import { createRelayMetrics } from '../../../src/observe/relay-metrics.ts'
import type { HttpFetch } from '../../../src/runtime/http-port.ts'
import { loadPrompb } from '../../../src/wire/remote-write/prompb-loader.ts'
import { encodeSeriesSet } from '../../../src/wire/remote-write/prompb.ts'
import { snappyBlockOf } from '../../../src/wire/remote-write/series-fragment.ts'
import { createManualClock } from '../../helpers/manual-clock.ts'

await loadPrompb()

const CONFIG = parseConfig(
  `exporters:
  - protocol: prometheus
    enabled: true
    name: rw
    endpoints: [http://127.0.0.1:1/api/v1/write]
    data-sources: [flow_metrics.network.1m]
    export-fields: [byte_tx, ip4]
`,
  'test.yaml',
).exporters[0]!

function item(ip: string, value: number): SeriesItem {
  const payload = encodeSeriesSet([{ name: 'ip4', value: ip }], [{ name: 'byte_tx', value }], 1715133600000)
  return { payload, bytes: payload.ops.length, units: 1 }
}

/** A sink whose fetch answers each request with the next status (or throws for 0); every body it was given, with a copy of its bytes. */
function sinkAnswering(statuses: number[]) {
  const bodies: { body: Uint8Array; bytes: Uint8Array }[] = []
  const fetch: HttpFetch = (_url, init) => {
    const body = init.body as Uint8Array
    bodies.push({ body, bytes: body.slice() })
    const status = statuses.shift() ?? 204
    return status === 0
      ? Promise.reject(new Error('connection refused'))
      : Promise.resolve(new Response(status === 204 ? null : 'no', { status }))
  }
  const clock = createManualClock(1_700_000_000_000, () => 0.5)
  const metrics = createRelayMetrics()
  const sinks = createRemoteWriteSinks({
    exporter: CONFIG,
    version: '1',
    fetch,
    tls: () => null,
    clock,
    log: createLogger({ write: () => {}, now: clock.now, level: 'error' }),
    metrics: { requests: metrics.rwRequests, failovers: metrics.failovers },
  })
  return { sink: sinks.sinkFor(0), bodies }
}

test("a delivered body's buffer holds the queue's next body (each body exactly its batch's bytes); after any other outcome a new buffer is made", async () => {
  const { sink, bodies } = sinkAnswering([204, 204, 500, 204, 0, 204, 204])
  const signal = new AbortController().signal
  const batches = [
    [item('10.0.0.1', 1), item('10.0.0.2', 2)],
    [item('10.0.0.3', 3)], // smaller: written over the first buffer
    [item('10.0.0.4', 4)], // 500: not kept
    [item('10.0.0.5', 5)],
    [item('10.0.0.6', 6)], // no answer: not kept
    [item('10.0.0.7', 7)],
    [item('10.0.0.8', 8), item('10.0.0.9', 9), item('10.0.0.10', 10)], // larger than the spare: a new buffer
  ]
  for (const batch of batches) await sink.send(batch, signal)
  bodies.forEach(({ bytes }, i) => assert.deepEqual(bytes, snappyBlockOf(batches[i]!.map((x) => x.payload)), `body ${i} is its batch`))
  const same = (a: number, b: number) => bodies[a]!.body.buffer === bodies[b]!.body.buffer
  assert.ok(same(0, 1), 'after a 204 the next body is written over the same buffer')
  assert.ok(same(1, 2), 'and again')
  assert.ok(!same(2, 3), 'after a 500 a new buffer')
  assert.ok(!same(4, 5), 'after no answer a new buffer')
  assert.ok(!same(5, 6), 'a body larger than the spare gets a new buffer')
  assert.equal(bodies[1]!.body.byteOffset, 0)
  assert.ok(MAX_SPARE_BODY >= 1024 * 1024)
})
