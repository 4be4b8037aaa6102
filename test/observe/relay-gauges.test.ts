// The exporter gauges, read at scrape time from the exporters running then: queue fill and bounds,
// exporter up, and endpoint up only for endpoints that keep their own state.
import test from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from '../../src/observe/metrics.ts'
import { type GaugedExporter, registerExporterGauges } from '../../src/observe/relay-gauges.ts'

const exporter = (name: string, up: boolean, endpoints: ReturnType<GaugedExporter['endpoints']>): GaugedExporter => ({
  config: { name, queueSize: 10, queueCount: 2, queueMaxBytes: 4096 },
  held: () => ({ records: 3, bytes: 120 }),
  healthy: () => up,
  endpoints: () => endpoints,
  buffer: () => null,
})

test('queue, buffer, exporter and endpoint gauges of the current exporters; endpoints sharing the exporter health are left out; buffers only where there is one', () => {
  const registry = new Registry()
  let exporters: GaugedExporter[] = [
    exporter('rw', true, [{ endpoint: 'http://a/w', up: false, ownState: true }, { endpoint: 'http://b/w', up: true, ownState: true }]),
    {
      ...exporter('out', false, [{ endpoint: 'stdout', up: false, ownState: false }]),
      buffer: () => ({ bytes: 900, maxBytes: 8192, error: 'EIO: x' }),
    },
  ]
  registerExporterGauges(registry, () => exporters)
  assert.equal(
    registry.render(),
    [
      '# HELP deepflow_relay_queue_records Records held by the exporter queues (waiting or in flight).',
      '# TYPE deepflow_relay_queue_records gauge',
      'deepflow_relay_queue_records{exporter="rw"} 3',
      'deepflow_relay_queue_records{exporter="out"} 3',
      '# HELP deepflow_relay_queue_bytes Bytes held by the exporter queues (waiting or in flight).',
      '# TYPE deepflow_relay_queue_bytes gauge',
      'deepflow_relay_queue_bytes{exporter="rw"} 120',
      'deepflow_relay_queue_bytes{exporter="out"} 120',
      '# HELP deepflow_relay_queue_capacity_records queue-size × queue-count of the exporter.',
      '# TYPE deepflow_relay_queue_capacity_records gauge',
      'deepflow_relay_queue_capacity_records{exporter="rw"} 20',
      'deepflow_relay_queue_capacity_records{exporter="out"} 20',
      '# HELP deepflow_relay_queue_capacity_bytes queue-max-bytes of the exporter.',
      '# TYPE deepflow_relay_queue_capacity_bytes gauge',
      'deepflow_relay_queue_capacity_bytes{exporter="rw"} 4096',
      'deepflow_relay_queue_capacity_bytes{exporter="out"} 4096',
      '# HELP deepflow_relay_endpoint_up 1 unless the last request to the endpoint failed (1 before the first).',
      '# TYPE deepflow_relay_endpoint_up gauge',
      'deepflow_relay_endpoint_up{exporter="rw",endpoint="http://a/w"} 0',
      'deepflow_relay_endpoint_up{exporter="rw",endpoint="http://b/w"} 1',
      "# HELP deepflow_relay_buffer_bytes Bytes of a durable buffer's files still needed (buffer: {type: disk}).",
      '# TYPE deepflow_relay_buffer_bytes gauge',
      'deepflow_relay_buffer_bytes{exporter="out"} 900',
      "# HELP deepflow_relay_buffer_capacity_bytes A durable buffer's max-bytes.",
      '# TYPE deepflow_relay_buffer_capacity_bytes gauge',
      'deepflow_relay_buffer_capacity_bytes{exporter="out"} 8192',
      '# HELP deepflow_relay_buffer_writable 1 unless the last write of the durable buffer failed (ingest is answered 503 meanwhile).',
      '# TYPE deepflow_relay_buffer_writable gauge',
      'deepflow_relay_buffer_writable{exporter="out"} 0',
      '# HELP deepflow_relay_exporter_up 1 unless the last send attempt of the exporter failed.',
      '# TYPE deepflow_relay_exporter_up gauge',
      'deepflow_relay_exporter_up{exporter="rw"} 1',
      'deepflow_relay_exporter_up{exporter="out"} 0',
      '',
    ].join('\n'),
  )
  exporters = []
  assert.doesNotMatch(registry.render(), /exporter="/)
})
