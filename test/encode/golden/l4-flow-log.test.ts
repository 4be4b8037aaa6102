// flow_log.l4_flow_log: full lines for [$tag, $metrics] (schema.json field order, A.2 of the reference).
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../../helpers/encode.ts'
import { DICT, fromJson } from './fixtures.ts'

const DS = 'flow_log.l4_flow_log'

test('l4: rich TCP flow: macs, tunnel, universal found/not found/unknown type, enums, ClickHouse key', () => {
  const record = fromJson(`{"_id":100,"mac_0":"02:42:AC:11:00:02","mac_1":2485377892355,"eth_type":2048,"vlan":0,
    "ip4_0":"192.168.1.10","ip4_1":3232235787,"is_ipv4":true,"protocol":6,"tunnel_tier":1,"tunnel_type":1,
    "tunnel_tx_id":100,"tunnel_tx_ip4_0":"172.16.0.1","tunnel_tx_ip6_0":"2001:DB8::1","tunnel_is_ipv4":true,
    "tunnel_tx_mac_0":5,"client_port":50000,"server_port":443,"tcp_flags_bit_0":18,"syn_seq":1,"l7_protocol":121,
    "province_0":"","province_1":"Zhejiang","region_id_0":1,"region_id_1":2,"host_id_0":4,"host_id_1":5,
    "l3_device_type_0":1,"l3_device_type_1":103,"l3_device_id_0":21,"l3_device_id_1":7,"pod_group_type_0":131,
    "l3_epc_id_0":-2,"epc_id_0":-2,"service_id_0":201,"service_id_1":176,"auto_instance_id_0":21,
    "auto_instance_type_0":1,"auto_service_id_0":9,"auto_service_type_0":255,"auto_instance_id_1":177,
    "auto_instance_type_1":10,"auto_service_id_1":34,"auto_service_type_1":130,"org_id":1,"team_id":1,
    "time":1715133600,"close_type":1,"signal_source":1,"flow_id":123456789012345678,"init_ipid":7,
    "capture_network_type_id":3,"nat_source":2,"capture_nic_type":4,"capture_nic":12,"observation_point":"c-nd",
    "agent_id":7,"l2_end_0":true,"l2_end_1":false,"l3_end_0":1,"l3_end_1":0,"start_time":1715133540000000,
    "end_time":1715133600000000,"duration":60000000,"is_new_flow":1,"status":0,"gprocess_id_0":11,"gprocess_id_1":0,
    "nat_real_ip4_0":"10.0.0.5","nat_real_port_0":8080,"direction_score":127,"request_domain":"example.com",
    "packet_tx":10,"packet_rx":8,"byte_tx":1200,"byte_rx":900,"rtt":1500,"srt_max":300,"retrans_tx":1,
    "zero_win_rx":0,"l7_error":0,"ooo_tx":2,"fin_count":1}`)
  assert.equal(
    encodeOne('export-fields: [$tag, $metrics]', DS, record, { dictionary: DICT }),
    '{"datasource":"flow_log.l4_flow_log","_id":100,"mac_0":"02:42:ac:11:00:02","mac_1":"02:42:ac:11:00:03","eth_type":2048,"vlan":0,"ip4_0":"192.168.1.10","ip4_1":"192.168.1.11","is_ipv4":1,"protocol":"TCP","tunnel_tier":1,"tunnel_type":1,"tunnel_tx_id":100,"tunnel_tx_ip4_0":"172.16.0.1","tunnel_tx_ip6_0":"2001:db8::1","tunnel_is_ipv4":1,"tunnel_tx_mac_0":5,"client_port":50000,"server_port":443,"tcp_flags_bit_0":18,"syn_seq":1,"l7_protocol":"TLS","province_1":"Zhejiang","region_0":"region-1","region_id_1":2,"host_0":"hv-4","host_1":"host-5","l3_device_type_0":"chost","l3_device_type_1":103,"l3_device_0":"vm-21","l3_device_id_1":7,"pod_group_type_0":"StatefulSet","l3_epc_id_0":-2,"epc_id_0":-2,"service_0":"details","service_1":"reviews","auto_instance_0":"vm-21","auto_instance_type_0":"chost","auto_service_0":"192.168.1.10","auto_service_type_0":"ip","auto_instance_1":"reviews-v2-5d8f","auto_instance_type_1":"pod","auto_service_id_1":34,"auto_service_type_1":"pod_group","org_id":1,"team_id":1,"time":1715133600,"close_type":"Normal","signal_source":"xFlow","flow_id":123456789012345678,"init_ipid":7,"capture_network_type_id":3,"nat_source":"VIP","capture_nic_type":"Traffic Mirror","capture_nic":12,"observation_point":"Client K8s Node","agent":"node-1-V3","l2_end_0":1,"l2_end_1":0,"l3_end_0":1,"l3_end_1":0,"start_time":1715133540000000,"end_time":1715133600000000,"duration":60000000,"is_new_flow":1,"status":"Success","gprocess_0":"python3","nat_real_ip_0":"10.0.0.5","nat_real_port_0":8080,"direction_score":127,"request_domain":"example.com","packet_tx":10,"packet_rx":8,"byte_tx":1200,"byte_rx":900,"rtt":1500,"srt_max":300,"retrans_tx":1,"zero_win_rx":0,"l7_error":0,"ooo_tx":2,"fin_count":1,"time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  )
})

test('l4: IPv6 UDP flow without platform data: ids keep their keys, names from nothing', () => {
  const record = {
    ip6_0: '2001:db8:0:0:1:0:0:1',
    ip6_1: '2001:db8::2',
    is_ipv4: 0,
    protocol: 17,
    client_port: 5353,
    server_port: 53,
    pod_id_0: 153,
    pod_id_1: 0,
    agent_id: 7,
    time: 1715133600,
    start_time: 1715133600000000,
    end_time: 1715133600010000,
    status: 3,
    close_type: 3,
    packet_tx: 1,
    packet_rx: 1,
  }
  assert.equal(
    encodeOne('export-fields: [$tag, $metrics]', DS, record),
    '{"datasource":"flow_log.l4_flow_log","ip6_0":"2001:db8::1:0:0:1","ip6_1":"2001:db8::2","is_ipv4":0,"protocol":"UDP","client_port":5353,"server_port":53,"pod_id_0":153,"time":1715133600,"close_type":"Transfer - Timeout","agent_id":7,"start_time":1715133600000000,"end_time":1715133600010000,"status":"Server Error","packet_tx":1,"packet_rx":1,"time_str":"2024-05-08 02:00:00.01 +0000 UTC"}',
  )
})
