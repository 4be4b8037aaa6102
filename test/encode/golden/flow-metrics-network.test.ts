// flow_metrics.network.{1m,1s} and flow_metrics.network_map.{1m,1s}: full lines for [$tag, $metrics]
// (schema.json order: time, the meters, then the tags; A.3/A.4 of the reference).
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../../helpers/encode.ts'
import { DICT, T } from './fixtures.ts'

const ALL = 'export-fields: [$tag, $metrics]'

test('network.1m: client pod endpoint, every universal tag found', () => {
  const record = {
    time: T,
    packet_tx: 120,
    packet_rx: 118,
    byte_tx: 15320,
    byte_rx: 14000,
    new_flow: 1,
    closed_flow: 0,
    syn_count: 1,
    direction_score: 0,
    rtt_max: 1200,
    rtt_sum: 2400,
    rtt_count: 2,
    retrans_tx: 1,
    client_rst_flow: 0,
    tcp_timeout: 0,
    l7_client_error: 0,
    ooo_rx: 0,
    flow_load: 3,
    thread_id: 1,
    ip4: '10.1.2.3',
    l3_epc_id: 1,
    l3_device_id: 153,
    l3_device_type: 10,
    region_id: 1,
    subnet_id: 1,
    host_id: 5,
    pod_node_id: 1,
    az_id: 1,
    pod_group_id: 33,
    pod_ns_id: 1,
    pod_id: 153,
    pod_cluster_id: 1,
    service_id: 0,
    auto_instance_id: 153,
    auto_instance_type: 10,
    auto_service_id: 176,
    auto_service_type: 102,
    gprocess_id: 11,
    role: 0,
    protocol: 6,
    server_port: 0,
    agent_id: 7,
    org_id: 1,
    team_id: 1,
    capture_network_type_id: 3,
    is_ipv4: 1,
    signal_source: 0,
  }
  assert.equal(
    encodeOne(ALL, 'flow_metrics.network.1m', record, { dictionary: DICT }),
    '{"datasource":"flow_metrics.network.1m","time":1715133600,"packet_tx":120,"packet_rx":118,"byte_tx":15320,"byte_rx":14000,"new_flow":1,"closed_flow":0,"syn_count":1,"direction_score":0,"rtt_max":1200,"rtt_sum":2400,"rtt_count":2,"retrans_tx":1,"client_rst_flow":0,"tcp_timeout":0,"l7_client_error":0,"ooo_rx":0,"flow_load":3,"thread_id":1,"ip4":"10.1.2.3","l3_epc":"vpc-1","l3_device":"productpage-v1-7f9c","l3_device_type":"pod","region":"region-1","subnet":"pod-subnet","host":"host-5","pod_node":"node-1","az":"az-1","pod_group":"productpage-v1","pod_ns":"default","pod":"productpage-v1-7f9c","pod_cluster":"k8s-1","auto_instance":"productpage-v1-7f9c","auto_instance_type":"pod","auto_service":"reviews","auto_service_type":"service","gprocess":"python3","role":"Client","protocol":"TCP","server_port":0,"agent":"node-1-V3","org_id":1,"team_id":1,"capture_network_type_id":3,"is_ipv4":1,"signal_source":"Packet","time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  )
})

test('network.1s: IPv6 endpoint, internet l3_device_type, ip-typed auto_*, ids not found', () => {
  const record = {
    time: T + 1,
    packet_tx: 1,
    byte_tx: 60,
    rtt_max: 0,
    thread_id: 2,
    ip6: '2001:DB8:0:0:0:0:0:10',
    is_ipv4: 0,
    l3_epc_id: -2,
    l3_device_type: 0,
    l3_device_id: 0,
    pod_id: 999,
    auto_instance_id: 3,
    auto_instance_type: 255,
    auto_service_id: 3,
    auto_service_type: 255,
    role: 1,
    protocol: 17,
    server_port: 53,
    agent_id: 8,
    signal_source: 3,
  }
  assert.equal(
    encodeOne(ALL, 'flow_metrics.network.1s', record, { dictionary: DICT }),
    '{"datasource":"flow_metrics.network.1s","time":1715133601,"packet_tx":1,"byte_tx":60,"rtt_max":0,"thread_id":2,"ip6":"2001:db8::10","l3_epc_id":-2,"l3_device_type":"internet_ip","pod_id":999,"auto_instance":"2001:db8::10","auto_instance_type":"ip","auto_service":"2001:db8::10","auto_service_type":"ip","role":"Server","protocol":"UDP","server_port":53,"agent_id":8,"is_ipv4":0,"signal_source":"eBPF","time_str":"2024-05-08 02:00:01 +0000 UTC"}',
  )
})

test('network_map.1m: client side given by json names (ip4, pod_id, ...), keys come out as _0', () => {
  const record = {
    time: T,
    byte_tx: 100,
    byte_rx: 200,
    server_syn_miss: 1,
    ip4: '10.1.2.3',
    ip4_1: '10.1.2.4',
    pod_id: 153,
    pod_id_1: 177,
    l3_device_type: 10,
    l3_device_id: 153,
    l3_device_type_1: 10,
    l3_device_id_1: 177,
    region_id: 1,
    region_id_1: 1,
    pod_ns_id: 1,
    pod_ns_id_1: 1,
    service_id_1: 176,
    auto_instance_type: 10,
    auto_instance_id: 153,
    auto_instance_type_1: 255,
    auto_instance_id_1: 9,
    gprocess_id: 11,
    gprocess_id_1: 12,
    protocol: 6,
    server_port: 9080,
    agent_id: 7,
    capture_nic: 3,
    capture_nic_type: 7,
    nat_source: 0,
    tunnel_type: 1,
    observation_point: 'c',
    capture_network_type_id: 3,
    is_ipv4: 1,
    signal_source: 0,
  }
  assert.equal(
    encodeOne(ALL, 'flow_metrics.network_map.1m', record, { dictionary: DICT }),
    '{"datasource":"flow_metrics.network_map.1m","time":1715133600,"byte_tx":100,"byte_rx":200,"server_syn_miss":1,"ip4_0":"10.1.2.3","l3_device_0":"productpage-v1-7f9c","l3_device_type_0":"pod","region_0":"region-1","pod_ns_0":"default","pod_0":"productpage-v1-7f9c","auto_instance_0":"productpage-v1-7f9c","auto_instance_type_0":"pod","gprocess_0":"python3","ip4_1":"10.1.2.4","l3_device_1":"reviews-v2-5d8f","l3_device_type_1":"pod","region_1":"region-1","pod_ns_1":"default","pod_1":"reviews-v2-5d8f","service_1":"reviews","auto_instance_1":"10.1.2.4","auto_instance_type_1":"ip","gprocess_1":"java","protocol":"TCP","server_port":9080,"agent":"node-1-V3","capture_nic":3,"capture_nic_type":"eBPF","nat_source":"NONE","tunnel_type":"VXLAN","observation_point":"Client NIC","capture_network_type_id":3,"is_ipv4":1,"signal_source":"Packet","time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  )
})

test('network_map.1s: _0 names, ip4 as uint32, host map vs not found, internet-typed auto_service, id 0 dropped', () => {
  const record = {
    time: T,
    packet_tx: 5,
    retrans_syn: 1,
    thread_id: 0,
    ip4_0: 167772161,
    ip4_1: '10.0.0.2',
    is_ipv4: 1,
    pod_id_0: 0,
    pod_id_1: 500,
    l3_epc_id_0: 1,
    l3_epc_id_1: 1,
    host_id_0: 4,
    host_id_1: 6,
    auto_service_type_0: 0,
    auto_service_id_0: 7,
    auto_service_type_1: 130,
    auto_service_id_1: 34,
    org_id: 0,
  }
  assert.equal(
    encodeOne(ALL, 'flow_metrics.network_map.1s', record, { dictionary: DICT }),
    '{"datasource":"flow_metrics.network_map.1s","time":1715133600,"packet_tx":5,"retrans_syn":1,"thread_id":0,"ip4_0":"10.0.0.1","l3_epc_0":"vpc-1","host_0":"hv-4","auto_service_0":"10.0.0.1","auto_service_type_0":"internet_ip","ip4_1":"10.0.0.2","l3_epc_1":"vpc-1","host_id_1":6,"pod_id_1":500,"auto_service_id_1":34,"auto_service_type_1":"pod_group","org_id":0,"is_ipv4":1,"time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  )
})
