// Records shared by the OTLP golden tests.

// An eBPF client-side HTTP session (capture_nic_type 7), no span_id.
export const HTTP_RECORD = `{"_id":7376470921311012345,"l7_protocol":20,"version":"1.1","type":2,"is_tls":0,
"request_type":"GET","request_domain":"reviews:9080","request_resource":"/reviews/0","endpoint":"/reviews/{id}",
"request_id":0,"response_status":0,"response_code":200,"response_exception":"","response_result":"",
"http_proxy_client":"10.9.9.9","x_request_id_0":"xr-0","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",
"app_service":"productpage","app_instance":"","response_duration":3512,"request_length":178,"response_length":295,
"direction_score":255,"attribute_names":["peer.service","empty"],"attribute_values":["reviews",""],
"metrics_names":["cpu"],"metrics_values":[0.25],"time":1715133600,"ip4_0":"10.1.2.3","ip4_1":"10.1.2.4",
"is_ipv4":1,"protocol":6,"client_port":43210,"server_port":9080,"flow_id":7376470921311000001,"nat_source":0,
"capture_nic_type":7,"signal_source":3,"tunnel_type":0,"capture_nic":0,"observation_point":"c-p","agent_id":7,
"req_tcp_seq":0,"resp_tcp_seq":0,"start_time":1715133600120000,"end_time":1715133600123512,"process_id_0":1234,
"process_id_1":5678,"process_kname_0":"python3","process_kname_1":"java","syscall_trace_id_request":18446744073709551615,
"syscall_thread_0":1234,"syscall_cap_seq_0":11,"region_id_0":1,"region_id_1":1,"az_id_0":1,"az_id_1":2,"host_id_0":5,
"host_id_1":0,"l3_device_type_0":10,"l3_device_id_0":153,"l3_device_type_1":1,"l3_device_id_1":21,"pod_node_id_0":1,
"pod_node_id_1":2,"pod_ns_id_0":1,"pod_ns_id_1":1,"pod_group_id_0":33,"pod_group_id_1":34,"pod_id_0":153,"pod_id_1":177,
"pod_cluster_id_0":1,"pod_cluster_id_1":1,"l3_epc_id_0":1,"l3_epc_id_1":-2,"subnet_id_0":1,"subnet_id_1":1,
"service_id_0":0,"service_id_1":176,"auto_instance_id_0":153,"auto_instance_type_0":10,"auto_service_id_0":33,
"auto_service_type_0":101,"auto_instance_id_1":177,"auto_instance_type_1":10,"org_id":1}`
