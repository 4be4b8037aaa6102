// event.file_event and event.perf_event: full lines for [$tag, $metrics] (A.7 / Appendix D order).
// Relay fixes: $tag includes event_info fields (Q5) and gprocess_id is translated (Q19).
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../../helpers/encode.ts'
import { DICT, T } from './fixtures.ts'

const ALL = 'export-fields: [$tag, $metrics]'

const FILE_EVENT = {
  time: T,
  _id: 5,
  start_time: 1715133599999000,
  end_time: 1715133600000250,
  signal_source: 2,
  event_type: 'write',
  process_kname: 'java',
  gprocess_id: 12,
  region_id: 1,
  az_id: 1,
  l3_epc_id: 1,
  host_id: 5,
  pod_id: 177,
  pod_node_id: 2,
  pod_ns_id: 1,
  pod_cluster_id: 1,
  pod_group_id: 34,
  l3_device_type: 10,
  l3_device_id: 177,
  service_id: 176,
  agent_id: 7,
  subnet_id: 1,
  is_ipv4: true,
  ip4: '10.1.2.4',
  org_id: 1,
  team_id: 1,
  auto_instance_id: 177,
  auto_instance_type: 10,
  auto_service_id: 176,
  auto_service_type: 102,
  app_instance: 'reviews-v2',
  attribute_names: ['k'],
  attribute_values: ['v'],
  bytes: 4096,
  duration: 250,
  file_name: '/var/log/app.log',
  file_type: 1,
  offset: 8192,
  syscall_thread: 5679,
  syscall_coroutine: 0,
  mount_source: '/dev/sda1',
  mount_point: '/',
  file_dir: '/var/log',
  access_permission: 420,
}

test('file_event: every field, event_info under $tag, gprocess translated, host_node_id raw', () => {
  assert.equal(
    encodeOne(ALL, 'event.file_event', FILE_EVENT, { dictionary: DICT }),
    '{"datasource":"event.file_event","time":1715133600,"_id":5,"start_time":1715133599999000,"end_time":1715133600000250,"signal_source":"IO","event_type":"Write","process_kname":"java","gprocess":"java","region":"region-1","az":"az-1","l3_epc":"vpc-1","host":"host-5","pod":"reviews-v2-5d8f","host_node_id":2,"pod_ns":"default","pod_cluster":"k8s-1","pod_group":"reviews-v2","l3_device_type":"pod","l3_device":"reviews-v2-5d8f","service":"reviews","agent":"node-1-V3","subnet":"pod-subnet","is_ipv4":1,"ip4":"10.1.2.4","org_id":1,"team_id":1,"auto_instance":"reviews-v2-5d8f","auto_instance_type":"pod","auto_service":"reviews","auto_service_type":"service","app_instance":"reviews-v2","attribute_names":["k"],"attribute_values":["v"],"bytes":4096,"duration":250,"file_name":"/var/log/app.log","file_type":"Regular File","offset":8192,"syscall_thread":5679,"syscall_coroutine":0,"mount_source":"/dev/sda1","mount_point":"/","file_dir":"/var/log","access_permission":420,"time_str":"2024-05-08 02:00:00.00025 +0000 UTC"}',
  )
})

test('file_event: $metrics only gives bytes and duration', () => {
  assert.equal(
    encodeOne('export-fields: [$metrics]', 'event.file_event', FILE_EVENT, { dictionary: DICT }),
    '{"datasource":"event.file_event","bytes":4096,"duration":250,"time_str":"2024-05-08 02:00:00.00025 +0000 UTC"}',
  )
})

test('perf_event: IPv6 process, ip-typed auto_instance, perf_event enums', () => {
  const record = {
    time: T,
    _id: 6,
    start_time: 1715133600000000,
    end_time: 1715133600999999,
    signal_source: 2,
    event_type: 'read',
    process_kname: 'python3',
    gprocess_id: 11,
    pod_id: 153,
    pod_node_id: 1,
    l3_device_type: 10,
    l3_device_id: 153,
    agent_id: 7,
    is_ipv4: false,
    ip6: '2001:db8::5',
    auto_instance_type: 255,
    auto_instance_id: 2,
    attribute_names: [],
    bytes: 512,
    duration: 10,
  }
  assert.equal(
    encodeOne(ALL, 'event.perf_event', record, { dictionary: DICT }),
    '{"datasource":"event.perf_event","time":1715133600,"_id":6,"start_time":1715133600000000,"end_time":1715133600999999,"signal_source":"IO","event_type":"Read","process_kname":"python3","gprocess":"python3","pod":"productpage-v1-7f9c","host_node_id":1,"l3_device_type":"pod","l3_device":"productpage-v1-7f9c","agent":"node-1-V3","is_ipv4":0,"ip6":"2001:db8::5","auto_instance":"2001:db8::5","auto_instance_type":"ip","bytes":512,"duration":10,"time_str":"2024-05-08 02:00:00.999999 +0000 UTC"}',
  )
})

test('perf_event: gprocess_id translated with universal on, raw with it off (Q19 fix)', () => {
  const record = { time: T, end_time: 1715133600000000, gprocess_id: 12 }
  assert.equal(
    encodeOne(ALL, 'event.perf_event', record, { dictionary: DICT }),
    '{"datasource":"event.perf_event","time":1715133600,"end_time":1715133600000000,"gprocess":"java","time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  )
  assert.equal(
    encodeOne(`${ALL}\nuniversal-tag-translate-to-name-disabled: true`, 'event.perf_event', record, { dictionary: DICT }),
    '{"datasource":"event.perf_event","time":1715133600,"end_time":1715133600000000,"gprocess_id":12,"time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  )
})
