// export-fields selection (DeepFlow v7.0.3+ IsExportField, categories.json) with the relay fixes:
// $tag includes event_info (Q5); the malformed L7 capture_nic_type is selected only by its name.
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../../helpers/encode.ts'
import { DICT, T, TS_UTC } from './fixtures.ts'

const NET = 'flow_metrics.network.1m'
// Subs: byte_tx l3_throughput, new_flow/flow_load l4_throughput, rtt_max delay, client_rst_flow tcp_error,
// retrans_tx/zero_win_rx/retrans_synack/ooo_tx none (metrics); thread_id/org_id/team_id none (tags).
const NET_RECORD = {
  time: T,
  byte_tx: 5,
  new_flow: 1,
  rtt_max: 7,
  retrans_tx: 1,
  zero_win_rx: 2,
  retrans_synack: 4,
  client_rst_flow: 6,
  ooo_tx: 3,
  flow_load: 8,
  thread_id: 1,
  ip4: '10.0.0.1',
  l3_epc_id: 1,
  role: 0,
  protocol: 6,
  server_port: 80,
  org_id: 1,
  team_id: 2,
  capture_network_type_id: 3,
  is_ipv4: 1,
  signal_source: 0,
}
const net = (fields: string) => encodeOne(`export-fields: ${fields}`, NET, NET_RECORD)
const line = (body: string) => `{"datasource":"${NET}",${body},"time_str":"${TS_UTC}"}`

test('$tag: every tag, no metric', () => {
  assert.equal(
    net('[$tag]'),
    line(
      '"time":1715133600,"thread_id":1,"ip4":"10.0.0.1","l3_epc_id":1,"role":"Client","protocol":"TCP","server_port":80,"org_id":1,"team_id":2,"capture_network_type_id":3,"is_ipv4":1,"signal_source":"Packet"',
    ),
  )
})

test('$metrics: every metric, no tag (not even time)', () => {
  assert.equal(
    net('[$metrics]'),
    line(
      '"byte_tx":5,"new_flow":1,"rtt_max":7,"retrans_tx":1,"zero_win_rx":2,"retrans_synack":4,"client_rst_flow":6,"ooo_tx":3,"flow_load":8',
    ),
  )
})

test('$metrics.delay: delay metrics plus the metrics without sub, no tags', () => {
  assert.equal(net('[$metrics.delay]'), line('"rtt_max":7,"retrans_tx":1,"zero_win_rx":2,"retrans_synack":4,"ooo_tx":3'))
})

test('$<x>.<sub>: only the second component counts ($tag.delay == $metrics.delay, $metrics.flow_info == $tag.flow_info)', () => {
  assert.equal(net('[$tag.delay]'), net('[$metrics.delay]'))
  assert.equal(net('[$metrics.flow_info]'), line('"time":1715133600,"thread_id":1,"org_id":1,"team_id":2'))
  assert.equal(net('[$tag.flow_info]'), line('"time":1715133600,"thread_id":1,"org_id":1,"team_id":2'))
})

test('$tag.network_layer: network_layer tags plus tags without sub, no metrics', () => {
  assert.equal(net('[$tag.network_layer]'), line('"thread_id":1,"ip4":"10.0.0.1","protocol":"TCP","org_id":1,"team_id":2,"is_ipv4":1'))
})

test('$tag.<sub> and $metrics.<sub> together', () => {
  assert.equal(
    net('[$tag.network_layer, $metrics.l4_throughput]'),
    line(
      '"new_flow":1,"retrans_tx":1,"zero_win_rx":2,"retrans_synack":4,"ooo_tx":3,"flow_load":8,"thread_id":1,"ip4":"10.0.0.1","protocol":"TCP","org_id":1,"team_id":2,"is_ipv4":1',
    ),
  )
})

test('bare names select single fields, in schema order whatever the list order', () => {
  assert.equal(net('[server_port, byte_tx, l3_epc_id]'), line('"byte_tx":5,"l3_epc_id":1,"server_port":80'))
  assert.equal(net('[$tag.transport_layer, rtt_max]'), line('"rtt_max":7,"thread_id":1,"server_port":80,"org_id":1,"team_id":2'))
})

const L7 = 'flow_log.l7_flow_log'
const L7_RECORD = {
  _id: 1,
  l7_protocol: 20,
  endpoint: '/api',
  trace_id_2: 'tt',
  response_duration: 5,
  metrics_names: ['m'],
  metrics_values: [1],
  time: T,
  ip4_0: '10.0.0.1',
  ip4_1: '10.0.0.2',
  flow_id: 2,
  capture_network_type_id: 3,
  nat_source: 0,
  capture_nic_type: 7,
  signal_source: 3,
  observation_point: 'c',
  agent_id: 7,
  start_time: 1715133600000000,
  end_time: 1715133600000000,
  biz_type: 1,
  biz_code: 'B',
  org_id: 1,
  team_id: 2,
}
const l7 = (fields: string) => encodeOne(`export-fields: ${fields}`, L7, L7_RECORD, { dictionary: DICT })
const l7line = (body: string) => `{"datasource":"${L7}",${body},"time_str":"${TS_UTC}"}`

test('l7 $tag.flow_info: flow_info tags plus no-sub tags and biz_* (unknown sub business_info); no metrics', () => {
  assert.equal(
    l7('[$tag.flow_info]'),
    l7line(
      '"_id":1,"time":1715133600,"flow_id":2,"start_time":1715133600000000,"end_time":1715133600000000,"biz_type":1,"biz_code":"B","org_id":1,"team_id":2',
    ),
  )
})

test('l7 $metrics.throughput: no-sub metrics metrics_names/metrics_values come along', () => {
  assert.equal(l7('[$metrics.throughput]'), l7line('"metrics_names":["m"],"metrics_values":[1]'))
})

test('l7 $tag.capture_info: capture_nic_type (malformed tag) is not selected', () => {
  assert.equal(
    l7('[$tag.capture_info]'),
    l7line(
      '"capture_network_type_id":3,"nat_source":"NONE","signal_source":"eBPF","observation_point":"Client NIC","agent":"node-1-V3","biz_type":1,"biz_code":"B","org_id":1,"team_id":2',
    ),
  )
})

test('l7 capture_nic_type: only by its name, written raw (no enum in L7)', () => {
  assert.equal(l7('[capture_nic_type]'), l7line('"capture_nic_type":7'))
  assert.equal(l7('[$tag, capture_nic_type]')!.includes('"capture_nic_type":7,"signal_source":"eBPF"'), true)
  assert.equal(l7('[$tag, $metrics]')!.includes('capture_nic_type'), false)
})

test('l7 bare names: ClickHouse column endpoint selects end_point; trace_id_2 by json name', () => {
  assert.equal(l7('[endpoint, ip4_0, trace_id_2]'), l7line('"end_point":"/api","trace_id_2":"tt","ip4_0":"10.0.0.1"'))
  assert.equal(l7('[end_point]'), l7line('"end_point":"/api"'))
  assert.equal(l7('[_trace_id_2]'), l7line('"trace_id_2":"tt"'))
})

test('map bare names: ip4_0 and its json name ip4 select the same field; pod_id selects pod_id_0', () => {
  const record = { time: T, ip4: '10.0.0.1', ip4_1: '10.0.0.2', pod_id: 153, pod_id_1: 177 }
  const map = (fields: string) => encodeOne(`export-fields: ${fields}`, 'flow_metrics.network_map.1m', record, { dictionary: DICT })
  const want = (body: string) => `{"datasource":"flow_metrics.network_map.1m",${body},"time_str":"${TS_UTC}"}`
  assert.equal(map('[ip4_0]'), want('"ip4_0":"10.0.0.1"'))
  assert.equal(map('[ip4]'), want('"ip4_0":"10.0.0.1"'))
  assert.equal(map('[pod_id, ip4_1]'), want('"pod_0":"productpage-v1-7f9c","ip4_1":"10.0.0.2"'))
  assert.equal(map('[pod_id_1]'), want('"pod_1":"reviews-v2-5d8f"'))
})

const EV = {
  time: T,
  end_time: 1715133600000000,
  event_type: 'read',
  process_kname: 'cat',
  bytes: 9,
  file_name: 'a.txt',
  file_type: 2,
  offset: 0,
  mount_point: '/',
  access_permission: 384,
  org_id: 1,
  team_id: 1,
}
const ev = (fields: string) => encodeOne(`export-fields: ${fields}`, 'event.file_event', EV)
const evline = (body: string) => `{"datasource":"event.file_event",${body},"time_str":"${TS_UTC}"}`

test('event_info: $tag includes it (Q5 fix); $tag.event_info alone selects it plus no-sub tags', () => {
  assert.equal(
    ev('[$tag]'),
    evline(
      '"time":1715133600,"end_time":1715133600000000,"event_type":"Read","process_kname":"cat","org_id":1,"team_id":1,"file_name":"a.txt","file_type":"Virtual File","offset":0,"mount_point":"/","access_permission":384',
    ),
  )
  assert.equal(
    ev('[$tag.event_info]'),
    evline(
      '"event_type":"Read","org_id":1,"team_id":1,"file_name":"a.txt","file_type":"Virtual File","offset":0,"mount_point":"/","access_permission":384',
    ),
  )
  assert.equal(ev('[file_name, bytes]'), evline('"bytes":9,"file_name":"a.txt"'))
})
