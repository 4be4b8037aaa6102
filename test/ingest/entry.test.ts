// The one door into the pipeline: what it counts for an offered request, for a source that tries
// again, and for what the parse and normalize steps refused.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createEntry } from '../../src/ingest/entry.ts'
import { createRelayMetrics } from '../../src/observe/relay-metrics.ts'
import { fakeExporter, records } from './fake-exporter.ts'

const NET = 'flow_metrics.network.1m'
const APP = 'flow_metrics.application.1m'

test('count: rejected by data source and reason, unknown fields only when some were ignored', () => {
  const m = createRelayMetrics()
  const entry = createEntry(m)
  entry.count(NET, { reasons: ['invalid_json', 'missing_field', 'invalid_json'], unknownFields: 0 })
  entry.count(APP, { reasons: [], unknownFields: 3 })
  assert.equal(m.rejected.get([NET, 'invalid_json']), 2)
  assert.equal(m.rejected.get([NET, 'missing_field']), 1)
  assert.match(m.registry.render(), /deepflow_relay_unknown_fields_total\{data_source="flow_metrics.application.1m"\} 3\n/)
  assert.doesNotMatch(m.registry.render(), /deepflow_relay_unknown_fields_total\{data_source="flow_metrics.network.1m"\}/)
})

test('offer: every record counts as received; accepted groups are committed to the exporters that take them', () => {
  const m = createRelayMetrics()
  const net = fakeExporter('net', [NET])
  const admission = createEntry(m).offer([{ ds: NET, records: records(2) }, { ds: APP, records: records(3) }], [net])
  assert.deepEqual(admission, { status: 'accepted' })
  assert.deepEqual(net.committed, [{ ds: NET, records: 2 }])
  assert.equal(m.received.get([NET]), 2)
  assert.equal(m.received.get([APP]), 3)
  assert.equal(m.refused.get([NET]), 0)
})

test('offer refused: nothing is committed anywhere; the records some exporter takes count as refused', () => {
  const m = createRelayMetrics()
  const net = fakeExporter('net', [NET])
  const app = fakeExporter('app', [APP], 'full')
  const groups = [{ ds: NET, records: records(2) }, { ds: APP, records: records(1) }, {
    ds: 'flow_metrics.vtap_flow_port',
    records: records(4),
  }]
  assert.deepEqual(createEntry(m).offer(groups, [net, app]), { status: 'full', exporter: 'app' })
  assert.deepEqual([...net.committed, ...app.committed], [])
  assert.deepEqual([m.refused.get([NET]), m.refused.get([APP]), m.refused.get(['flow_metrics.vtap_flow_port'])], [2, 1, 0])
  assert.equal(m.received.get(['flow_metrics.vtap_flow_port']), 4)
})

test('tryAdmit: received counts only once admitted, never per attempt; nothing counts as refused', () => {
  const m = createRelayMetrics()
  const entry = createEntry({ received: m.received, rejected: m.rejected, unknownFields: m.unknownFields })
  const answers = [{ status: 'full', exporter: 'x' } as const, { status: 'accepted' } as const]
  const seen: number[] = []
  const admit = (groups: readonly { records: readonly unknown[] }[]) => (seen.push(groups[0]!.records.length), answers.shift()!)
  assert.deepEqual(entry.tryAdmit([{ ds: NET, records: records(5) }], admit), { status: 'full', exporter: 'x' })
  assert.equal(m.received.get([NET]), 0)
  assert.deepEqual(entry.tryAdmit([{ ds: NET, records: records(5) }], admit), { status: 'accepted' })
  assert.equal(m.received.get([NET]), 5)
  assert.deepEqual(seen, [5, 5])
  assert.equal(m.refused.get([NET]), 0)
})
