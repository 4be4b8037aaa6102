// The feedback-loop filter of examples/server-opentelemetry.yaml (deepflowio/deepflow#3848): the
// relay's own Export calls, seen by a DeepFlow agent as l7_flow_log records, are not exported again;
// other records are.
import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseConfig } from '../../src/config-file/load.ts'
import { dataSource } from '../../src/deepflow/schema.ts'
import { compileFilter } from '../../src/filter/compile-filter.ts'
import { compileNormalizer } from '../../src/record/normalize.ts'

const FILE = fileURLToPath(new URL('../../examples/server-opentelemetry.yaml', import.meta.url))
const ds = dataSource('flow_log.l7_flow_log')!
const exporter = parseConfig(readFileSync(FILE, 'utf8'), FILE).exporters[0]!
const filter = compileFilter(exporter, ds)!
const normalize = compileNormalizer(ds)

function passes(record: Record<string, unknown>): boolean {
  const r = normalize({ time: 1715133600, end_time: 1715133600123456, ...record })
  if (!r.ok) throw new Error(r.error)
  return filter(r.record.values)
}

const EXPORT_CALL = {
  l7_protocol: 41, // gRPC
  request_type: 'POST',
  request_resource: 'opentelemetry.proto.collector.trace.v1.TraceService',
  end_point: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  server_port: 4317,
  ip4_1: '10.0.9.7',
}

test('examples/server-opentelemetry.yaml: the relay exporting to its OTLP endpoint is itself not exported', () => {
  assert.equal(exporter.protocol, 'opentelemetry')
  // eBPF: the agent names the relay as the client process.
  assert.equal(passes({ ...EXPORT_CALL, process_kname_0: 'deepflow-relay', signal_source: 3 }), false)
  // Packets (cBPF): no process, the call is recognised by the trace service.
  assert.equal(passes({ ...EXPORT_CALL, signal_source: 0 }), false)
  // OTLP/HTTP to the failover endpoint.
  assert.equal(
    passes({ l7_protocol: 20, request_type: 'POST', request_resource: '/v1/traces', server_port: 4318, signal_source: 0 }),
    false,
  )
  // Any other call the relay makes (its remote write, its Kafka produce) is left out as well.
  assert.equal(
    passes({ l7_protocol: 20, request_type: 'POST', request_resource: '/api/v1/write', process_kname_0: 'deepflow-relay' }),
    false,
  )
})

test("examples/server-opentelemetry.yaml: the applications' own calls are exported", () => {
  assert.equal(passes({ l7_protocol: 20, request_type: 'GET', request_resource: '/api/v1/users', process_kname_0: 'python3' }), true)
  assert.equal(passes({ l7_protocol: 20, request_type: 'GET', request_resource: '/v1/traces/42', signal_source: 0 }), true)
  assert.equal(
    passes({ ...EXPORT_CALL, request_resource: 'shop.v1.CartService', end_point: '/shop.v1.CartService/Add', process_kname_0: 'cart' }),
    true,
  )
})
