// flow_metrics.application.{1m,1s} and flow_metrics.application_map.{1m,1s}: full lines for
// [$tag, $metrics] (schema.json order; A.5/A.6 of the reference).
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../../helpers/encode.ts'
import { DICT, T } from './fixtures.ts'

const ALL = 'export-fields: [$tag, $metrics]'

test('application.1m: server endpoint, workload-typed auto_service id stays raw, its type is named pod_group (Q20), app tags', () => {
  const record = {
    time: T,
    request: 10,
    response: 9,
    direction_score: 255,
    rrt_max: 900,
    rrt_sum: 4000,
    rrt_count: 9,
    client_error: 1,
    server_error: 0,
    timeout: 0,
    thread_id: 1,
    ip4: '10.1.2.4',
    l3_epc_id: 1,
    pod_id: 177,
    pod_group_id: 34,
    service_id: 176,
    auto_instance_id: 177,
    auto_instance_type: 10,
    auto_service_id: 34,
    auto_service_type: 130,
    gprocess_id: 12,
    role: 1,
    protocol: 6,
    server_port: 9080,
    agent_id: 7,
    org_id: 1,
    team_id: 1,
    capture_network_type_id: 3,
    is_ipv4: 1,
    l7_protocol: 20,
    app_service: 'reviews',
    app_instance: '',
    endpoint: '/reviews/{id}',
    biz_type: 0,
    signal_source: 3,
  }
  assert.equal(
    encodeOne(ALL, 'flow_metrics.application.1m', record, { dictionary: DICT }),
    '{"datasource":"flow_metrics.application.1m","time":1715133600,"request":10,"response":9,"direction_score":255,"rrt_max":900,"rrt_sum":4000,"rrt_count":9,"client_error":1,"server_error":0,"timeout":0,"thread_id":1,"ip4":"10.1.2.4","l3_epc":"vpc-1","pod_group":"reviews-v2","pod":"reviews-v2-5d8f","service":"reviews","auto_instance":"reviews-v2-5d8f","auto_instance_type":"pod","auto_service_id":34,"auto_service_type":"pod_group","gprocess":"java","role":"Server","protocol":"TCP","server_port":9080,"agent":"node-1-V3","org_id":1,"team_id":1,"capture_network_type_id":3,"is_ipv4":1,"l7_protocol":"HTTP","app_service":"reviews","endpoint":"/reviews/{id}","biz_type":0,"signal_source":"eBPF","time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  )
})

test('application.1s: IPv6 local endpoint, ip-typed auto_instance', () => {
  const record = {
    time: T + 59,
    request: 1,
    ip6: 'FE80::1',
    is_ipv4: 0,
    role: 2,
    l7_protocol: 41,
    app_instance: '10.1.2.4:9080',
    auto_instance_type: 255,
    auto_instance_id: 4,
  }
  assert.equal(
    encodeOne(ALL, 'flow_metrics.application.1s', record, { dictionary: DICT }),
    '{"datasource":"flow_metrics.application.1s","time":1715133659,"request":1,"ip6":"fe80::1","auto_instance":"fe80::1","auto_instance_type":"ip","role":"Local","is_ipv4":0,"l7_protocol":"gRPC","app_instance":"10.1.2.4:9080","time_str":"2024-05-08 02:00:59 +0000 UTC"}',
  )
})

test('application_map.1m: both sides, client side by json names, map-only capture tags', () => {
  const record = {
    time: T,
    request: 3,
    response: 3,
    rrt_max: 100,
    timeout: 0,
    ip4: '10.1.2.3',
    ip4_1: '10.1.2.4',
    pod_id: 153,
    pod_id_1: 177,
    pod_cluster_id: 1,
    pod_cluster_id_1: 1,
    gprocess_id: 11,
    gprocess_id_1: 12,
    protocol: 6,
    server_port: 9080,
    agent_id: 7,
    capture_nic: 0,
    capture_nic_type: 8,
    nat_source: 4,
    tunnel_type: 0,
    observation_point: 's-p',
    capture_network_type_id: 3,
    is_ipv4: 1,
    l7_protocol: 21,
    app_service: 'reviews',
    app_instance: 'reviews-v2',
    endpoint: '/api',
    biz_type: 2,
    signal_source: 4,
  }
  assert.equal(
    encodeOne(ALL, 'flow_metrics.application_map.1m', record, { dictionary: DICT }),
    '{"datasource":"flow_metrics.application_map.1m","time":1715133600,"request":3,"response":3,"rrt_max":100,"timeout":0,"ip4_0":"10.1.2.3","pod_0":"productpage-v1-7f9c","pod_cluster_0":"k8s-1","gprocess_0":"python3","ip4_1":"10.1.2.4","pod_1":"reviews-v2-5d8f","pod_cluster_1":"k8s-1","gprocess_1":"java","protocol":"TCP","server_port":9080,"agent":"node-1-V3","capture_nic":0,"capture_nic_type":"OTel","nat_source":"RTOA","tunnel_type":"N/A","observation_point":"Server Process","capture_network_type_id":3,"is_ipv4":1,"l7_protocol":"HTTP2","app_service":"reviews","app_instance":"reviews-v2","endpoint":"/api","biz_type":2,"signal_source":"OTel","time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  )
})

test('application_map.1s: IPv6 both sides, unknown ids, negative l3_epc, empty endpoint dropped', () => {
  const record = {
    time: T,
    request: 0,
    response: 0,
    client_error: 0,
    ip6_0: '2001:db8::a',
    ip6_1: '2001:db8::b',
    is_ipv4: 0,
    pod_id_0: 1000,
    l3_epc_id_0: -2,
    auto_instance_type_1: 255,
    auto_instance_id_1: 1,
    observation_point: 'app',
    l7_protocol: 0,
    endpoint: '',
  }
  assert.equal(
    encodeOne(ALL, 'flow_metrics.application_map.1s', record, { dictionary: DICT }),
    '{"datasource":"flow_metrics.application_map.1s","time":1715133600,"request":0,"response":0,"client_error":0,"ip6_0":"2001:db8::a","l3_epc_id_0":-2,"pod_id_0":1000,"ip6_1":"2001:db8::b","auto_instance_1":"2001:db8::b","auto_instance_type_1":"ip","observation_point":"Application","is_ipv4":0,"l7_protocol":"N/A","time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  )
})
