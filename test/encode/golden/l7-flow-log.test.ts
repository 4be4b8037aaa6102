// flow_log.l7_flow_log: full lines for [$tag, $metrics] (schema.json field order, A.1 of the reference).
import test from 'node:test'
import assert from 'node:assert/strict'
import { dictionaryFrom, encodeOne } from '../../helpers/encode.ts'
import { DICT, fromJson } from './fixtures.ts'

const DS = 'flow_log.l7_flow_log'

// The platform data §2.6 of deepflow-exporters.md assumes ("platform data available").
const EXAMPLE_DICT = dictionaryFrom({
  region: { '1': 'region-1' },
  az: { '1': 'az-1' },
  pod_node: { '1': 'node-1', '2': 'node-2' },
  pod_ns: { '1': 'default' },
  pod_group: { '33': 'productpage-v1', '34': 'reviews-v2' },
  pod: { '153': 'productpage-v1-7f9c', '177': 'reviews-v2-5d8f' },
  pod_cluster: { '1': 'k8s-1' },
  l3_epc: { '1': 'vpc-1' },
  subnet: { '1': 'pod-subnet' },
  gprocess: { '11': 'python3', '12': 'java' },
  agent: { '7': 'node-1-V3' },
  device: { '10:153': 'productpage-v1-7f9c', '10:177': 'reviews-v2-5d8f', '102:176': 'reviews' },
  k8s_labels: { '153': { version: 'v1', app: 'productpage' } },
})

// Raw record behind the §2.6 example: nil pointers (request_id, span_kind, sql_affected_rows) absent,
// empty strings present (and dropped), ids 0 for host/service_0 (-> "" -> dropped).
const EXAMPLE_RECORD = `{"_id":7376470921311012345,"l7_protocol":20,"biz_protocol":"","version":"1.1","type":2,"is_tls":0,
"is_async":0,"is_reversed":0,"request_type":"GET","request_domain":"reviews:9080","request_resource":"/reviews/0",
"endpoint":"/reviews/0","response_status":0,"response_code":200,"response_exception":"","response_result":"",
"http_proxy_client":"","x_request_id_0":"","x_request_id_1":"","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",
"_trace_id_2":"","span_id":"00f067aa0ba902b7","parent_span_id":"","app_service":"productpage","app_instance":"",
"response_duration":3512,"request_length":178,"response_length":295,"direction_score":255,"captured_request_byte":178,
"captured_response_byte":295,"attribute_names":[],"attribute_values":[],"metrics_names":[],"metrics_values":[],
"events":"","time":1715133600,"ip4_0":"10.1.2.3","ip4_1":"10.1.2.4","is_ipv4":true,"protocol":6,"client_port":43210,
"server_port":9080,"flow_id":7376470921311000001,"capture_network_type_id":3,"nat_source":0,"capture_nic_type":7,
"signal_source":3,"tunnel_type":0,"capture_nic":0,"observation_point":"c-p","agent_id":7,"req_tcp_seq":0,
"resp_tcp_seq":0,"start_time":1715133600120000,"end_time":1715133600123512,"gprocess_id_0":11,"gprocess_id_1":12,
"biz_type":0,"biz_code":"","biz_scenario":"","biz_response_code":"","process_id_0":1234,"process_id_1":5678,
"process_kname_0":"python3","process_kname_1":"java","syscall_trace_id_request":0,"syscall_trace_id_response":0,
"syscall_thread_0":1234,"syscall_thread_1":5679,"syscall_coroutine_0":0,"syscall_coroutine_1":0,"syscall_cap_seq_0":11,
"syscall_cap_seq_1":12,"region_id_0":1,"region_id_1":1,"az_id_0":1,"az_id_1":1,"host_id_0":0,"host_id_1":0,
"l3_device_type_0":10,"l3_device_type_1":10,"l3_device_id_0":153,"l3_device_id_1":177,"pod_node_id_0":1,
"pod_node_id_1":2,"pod_ns_id_0":1,"pod_ns_id_1":1,"pod_group_id_0":33,"pod_group_id_1":34,"pod_group_type_0":130,
"pod_group_type_1":130,"pod_id_0":153,"pod_id_1":177,"pod_cluster_id_0":1,"pod_cluster_id_1":1,"l3_epc_id_0":1,
"l3_epc_id_1":1,"epc_id_0":1,"epc_id_1":1,"subnet_id_0":1,"subnet_id_1":1,"service_id_0":0,"service_id_1":176,
"auto_instance_id_0":153,"auto_instance_type_0":10,"auto_instance_id_1":177,"auto_instance_type_1":10,"org_id":1,"team_id":1}`

// §2.6 verbatim. Adapted: the example shows k8s labels, which DeepFlow only writes when export-fields
// names $k8s.label, so the list here adds it (relay: labels only, no extra fields, Q3 fix).
const EXAMPLE_LINE =
  '{"datasource":"flow_log.l7_flow_log","_id":7376470921311012345,"l7_protocol":"HTTP","version":"1.1","type":"Session","is_tls":0,"is_async":0,"is_reversed":0,"request_type":"GET","request_domain":"reviews:9080","request_resource":"/reviews/0","end_point":"/reviews/0","response_status":"Success","response_code":200,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","app_service":"productpage","response_duration":3512,"request_length":178,"response_length":295,"direction_score":255,"captured_request_byte":178,"captured_response_byte":295,"metrics_names":[],"metrics_values":[],"time":1715133600,"ip4_0":"10.1.2.3","ip4_1":"10.1.2.4","is_ipv4":1,"protocol":"TCP","client_port":43210,"server_port":9080,"flow_id":7376470921311000001,"capture_network_type_id":3,"nat_source":"NONE","signal_source":"eBPF","tunnel_type":0,"capture_nic":0,"observation_point":"Client Process","agent":"node-1-V3","req_tcp_seq":0,"resp_tcp_seq":0,"start_time":1715133600120000,"end_time":1715133600123512,"gprocess_0":"python3","gprocess_1":"java","biz_type":0,"process_id_0":1234,"process_id_1":5678,"process_kname_0":"python3","process_kname_1":"java","syscall_trace_id_request":0,"syscall_trace_id_response":0,"syscall_thread_0":1234,"syscall_thread_1":5679,"syscall_coroutine_0":0,"syscall_coroutine_1":0,"syscall_cap_seq_0":11,"syscall_cap_seq_1":12,"region_0":"region-1","region_1":"region-1","az_0":"az-1","az_1":"az-1","l3_device_type_0":"pod","l3_device_type_1":"pod","l3_device_0":"productpage-v1-7f9c","l3_device_1":"reviews-v2-5d8f","pod_node_0":"node-1","pod_node_1":"node-2","pod_ns_0":"default","pod_ns_1":"default","pod_group_0":"productpage-v1","pod_group_1":"reviews-v2","pod_group_type_0":"Deployment","pod_group_type_1":"Deployment","pod_0":"productpage-v1-7f9c","pod_1":"reviews-v2-5d8f","pod_cluster_0":"k8s-1","pod_cluster_1":"k8s-1","l3_epc_0":"vpc-1","l3_epc_1":"vpc-1","epc_id_0":1,"epc_id_1":1,"subnet_0":"pod-subnet","subnet_1":"pod-subnet","service_1":"reviews","auto_instance_0":"productpage-v1-7f9c","auto_instance_type_0":"pod","auto_instance_1":"reviews-v2-5d8f","auto_instance_type_1":"pod","org_id":1,"team_id":1,"k8s_label_names_0":["app","version"],"k8s_label_values_0":["productpage","v1"],"time_str":"2024-05-08 02:00:00.123512 +0000 UTC"}'

test('l7: the §2.6 example message, [$tag, $metrics, $k8s.label], default flags', () => {
  const line = encodeOne('export-fields: [$tag, $metrics, $k8s.label]', DS, fromJson(EXAMPLE_RECORD), { dictionary: EXAMPLE_DICT })
  assert.equal(line, EXAMPLE_LINE)
})

test('l7: the §2.6 record with [$tag, $metrics] has no k8s label arrays', () => {
  const line = encodeOne('export-fields: [$tag, $metrics]', DS, fromJson(EXAMPLE_RECORD), { dictionary: EXAMPLE_DICT })
  assert.equal(line, EXAMPLE_LINE.replace(',"k8s_label_names_0":["app","version"],"k8s_label_values_0":["productpage","v1"]', ''))
})

test('l7: IPv6 MySQL request, nullable fields present, arrays, unknown agent, auto_instance of type ip', () => {
  const record = fromJson(`{"_id":1,"l7_protocol":60,"version":"8.0","type":0,"is_tls":1,"is_async":0,"is_reversed":0,
    "request_type":"COM_QUERY","request_resource":"SELECT 1","request_id":"9007199254740993","response_status":3,
    "response_code":-1,"response_exception":"boom","span_kind":2,"trace_id_2":"t2","response_duration":250,
    "request_length":8,"sql_affected_rows":3,"attribute_names":["db","op"],"attribute_values":["orders","select"],
    "metrics_names":["rows","latency"],"metrics_values":[3,0.25],"events":"ev","time":1715133600,"ip6_0":"fd00::a",
    "ip6_1":"fd00:0:0:0:0:0:0:b","is_ipv4":false,"protocol":17,"client_port":5353,"server_port":3306,"flow_id":42,
    "capture_nic_type":7,"signal_source":0,"observation_point":"s","agent_id":999,"start_time":1715133599000000,
    "end_time":1715133600500000,"biz_type":1,"biz_code":"E42","auto_instance_id_0":5,"auto_instance_type_0":255,
    "org_id":2,"team_id":3}`)
  assert.equal(
    encodeOne('export-fields: [$tag, $metrics]', DS, record, { dictionary: DICT }),
    '{"datasource":"flow_log.l7_flow_log","_id":1,"l7_protocol":"MySQL","version":"8.0","type":"Request","is_tls":1,"is_async":0,"is_reversed":0,"request_type":"COM_QUERY","request_resource":"SELECT 1","request_id":9007199254740993,"response_status":"Server Error","response_code":-1,"response_exception":"boom","trace_id_2":"t2","span_kind":"SPAN_KIND_SERVER","response_duration":250,"request_length":8,"sql_affected_rows":3,"attribute_names":["db","op"],"attribute_values":["orders","select"],"metrics_names":["rows","latency"],"metrics_values":[3,0.25],"events":"ev","time":1715133600,"ip6_0":"fd00::a","ip6_1":"fd00::b","is_ipv4":0,"protocol":"UDP","client_port":5353,"server_port":3306,"flow_id":42,"signal_source":"Packet","observation_point":"Server NIC","agent_id":999,"start_time":1715133599000000,"end_time":1715133600500000,"biz_type":1,"biz_code":"E42","auto_instance_0":"fd00::a","auto_instance_type_0":"ip","org_id":2,"team_id":3,"time_str":"2024-05-08 02:00:00.5 +0000 UTC"}',
  )
})

test('l7: minimal record: only what is given comes out', () => {
  assert.equal(
    encodeOne('export-fields: [$tag, $metrics]', DS, { time: 1715133600, end_time: 1715133600000000 }),
    '{"datasource":"flow_log.l7_flow_log","time":1715133600,"end_time":1715133600000000,"time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  )
})
