// Record keys (relay rule 3): a field may be given by its output name, its json name (filter_name)
// or its ClickHouse column; the output key is always the schema name. Absent input = absent output.
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../../helpers/encode.ts'
import { T, TS_UTC } from './fixtures.ts'

const ALL = 'export-fields: [$tag, $metrics]'
const want = (ds: string, body: string) => `{"datasource":"${ds}",${body},"time_str":"${TS_UTC}"}`
const OFF = 'universal-tag-translate-to-name-disabled: true'

test('l7: endpoint (ClickHouse) -> end_point, _trace_id_2 (ClickHouse) -> trace_id_2', () => {
  const ds = 'flow_log.l7_flow_log'
  const body = '"end_point":"/a","trace_id_2":"t","time":1715133600,"end_time":1715133600000000'
  assert.equal(encodeOne(ALL, ds, { endpoint: '/a', _trace_id_2: 't', time: T, end_time: 1715133600000000 }), want(ds, body))
  assert.equal(encodeOne(ALL, ds, { end_point: '/a', trace_id_2: 't', time: T, end_time: 1715133600000000 }), want(ds, body))
})

test('l7: capture_nic_type given by its name is accepted and, by [$tag, $metrics], not written', () => {
  const ds = 'flow_log.l7_flow_log'
  assert.equal(
    encodeOne(ALL, ds, { capture_nic_type: 3, time: T, end_time: 1715133600000000 }),
    want(ds, '"time":1715133600,"end_time":1715133600000000'),
  )
})

test('l4: nat_real_ip4_0 / nat_real_ip4_1 (ClickHouse) -> nat_real_ip_0 / nat_real_ip_1', () => {
  const ds = 'flow_log.l4_flow_log'
  assert.equal(
    encodeOne(ALL, ds, { time: T, end_time: 1715133600000000, nat_real_ip4_0: '1.1.1.1', nat_real_ip_1: '2.2.2.2' }),
    want(ds, '"time":1715133600,"end_time":1715133600000000,"nat_real_ip_0":"1.1.1.1","nat_real_ip_1":"2.2.2.2"'),
  )
})

test('map flow_metrics: client fields by json name (ip4, pod_id, l3_epc_id) or map name -> _0 keys', () => {
  for (const ds of ['flow_metrics.network_map.1m', 'flow_metrics.application_map.1s']) {
    const body = '"time":1715133600,"ip4_0":"10.0.0.1","l3_epc_id_0":5,"pod_id_0":153,"gprocess_id_0":11'
    assert.equal(
      encodeOne(`${ALL}\n${OFF}`, ds, { time: T, ip4: '10.0.0.1', l3_epc_id: 5, pod_id: 153, gprocess_id: 11 }),
      want(ds, body),
      ds,
    )
    assert.equal(
      encodeOne(`${ALL}\n${OFF}`, ds, { time: T, ip4_0: '10.0.0.1', l3_epc_id_0: 5, pod_id_0: 153, gprocess_id_0: 11 }),
      want(ds, body),
      ds,
    )
  }
})

test('events: pod_node_id (ClickHouse) -> host_node_id', () => {
  for (const ds of ['event.file_event', 'event.perf_event']) {
    assert.equal(
      encodeOne(ALL, ds, { time: T, end_time: 1715133600000000, pod_node_id: 4 }),
      want(ds, '"time":1715133600,"end_time":1715133600000000,"host_node_id":4'),
      ds,
    )
  }
})
