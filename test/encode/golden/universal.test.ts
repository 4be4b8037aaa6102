// Universal tags (device-types.json, §6.3, relay rule 7): ids through the dictionary (key loses its
// first "_id" when a name is found), types through the device-type table, auto_* of type 0/255 from
// the record's IP; id 0 = none (""), unknown = raw id under the original key.
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../../helpers/encode.ts'
import { DICT, T, TS_UTC } from './fixtures.ts'

const L7 = 'flow_log.l7_flow_log'
const UOFF = 'universal-tag-translate-to-name-disabled: true'
const EOFF = 'enum-translate-to-name-disabled: true'
const tags = (ds: string, record: object, extra: string[] = [], fields = '[$tag]') =>
  encodeOne([`export-fields: ${fields}`, ...extra].join('\n'), ds, record, { dictionary: DICT })
const want = (ds: string, body: string) => `{"datasource":"${ds}",${body},"time_str":"${TS_UTC}"}`

const IDS = {
  time: T,
  agent_id: 7,
  end_time: 1715133600000000,
  region_id_0: 1,
  region_id_1: 9,
  az_id_0: 0,
  host_id_0: 4,
  host_id_1: 5,
  l3_device_type_0: 10,
  l3_device_type_1: 1,
  l3_device_id_0: 153,
  l3_device_id_1: 21,
  pod_id_0: 153,
  pod_id_1: 0,
  l3_epc_id_0: -2,
  l3_epc_id_1: 1,
  service_id_0: 201,
  service_id_1: 176,
}

test('found -> name under the key without "_id"; not found -> raw id under its key; 0 -> "" dropped', () => {
  assert.equal(
    tags(L7, IDS),
    want(
      L7,
      '"time":1715133600,"agent":"node-1-V3","end_time":1715133600000000,"region_0":"region-1","region_id_1":9,"host_0":"hv-4","host_1":"host-5","l3_device_type_0":"pod","l3_device_type_1":"chost","l3_device_0":"productpage-v1-7f9c","l3_device_1":"vm-21","pod_0":"productpage-v1-7f9c","l3_epc_id_0":-2,"l3_epc_1":"vpc-1","service_0":"details","service_1":"reviews"',
    ),
  )
})

test('id 0 with export-empty-tag: true is written as "" under the translated key', () => {
  assert.equal(
    tags(L7, IDS, ['export-empty-tag: true']),
    want(
      L7,
      '"time":1715133600,"agent":"node-1-V3","end_time":1715133600000000,"region_0":"region-1","region_id_1":9,"az_0":"","host_0":"hv-4","host_1":"host-5","l3_device_type_0":"pod","l3_device_type_1":"chost","l3_device_0":"productpage-v1-7f9c","l3_device_1":"vm-21","pod_0":"productpage-v1-7f9c","pod_1":"","l3_epc_id_0":-2,"l3_epc_1":"vpc-1","service_0":"details","service_1":"reviews"',
    ),
  )
})

test('universal translation off: plain numbers under the _id keys, 0 is an ordinary number', () => {
  assert.equal(
    tags(L7, IDS, [UOFF]),
    want(
      L7,
      '"time":1715133600,"agent_id":7,"end_time":1715133600000000,"region_id_0":1,"region_id_1":9,"az_id_0":0,"host_id_0":4,"host_id_1":5,"l3_device_type_0":10,"l3_device_type_1":1,"l3_device_id_0":153,"l3_device_id_1":21,"pod_id_0":153,"pod_id_1":0,"l3_epc_id_0":-2,"l3_epc_id_1":1,"service_id_0":201,"service_id_1":176',
    ),
  )
})

test('device-type table for l3_device_type; the pod-group workload types 130-135 are pod_group (Q20); unlisted types stay raw numbers', () => {
  const ds = 'flow_metrics.network.1m'
  const cases: [number, string][] = [
    [0, '"internet_ip"'],
    [1, '"chost"'],
    [5, '"router"'],
    [6, '"host"'],
    [9, '"dhcpgw"'],
    [10, '"pod"'],
    [11, '"pod_service"'],
    [12, '"redis"'],
    [13, '"rds"'],
    [14, '"pod_node"'],
    [15, '"lb"'],
    [16, '"natgw"'],
    [101, '"pod_group"'],
    [102, '"service"'],
    [120, '"gprocess"'],
    [255, '"ip"'],
    [2, '2'],
    [103, '103'],
    [130, '"pod_group"'],
    [131, '"pod_group"'],
    [132, '"pod_group"'],
    [133, '"pod_group"'],
    [134, '"pod_group"'],
    [135, '"pod_group"'],
    [136, '136'],
  ]
  for (const [type, text] of cases) {
    assert.equal(tags(ds, { time: T, l3_device_type: type }), want(ds, `"time":1715133600,"l3_device_type":${text}`), `type ${type}`)
  }
})

test('l3_device looks up device "<its side\'s l3_device_type>:<id>"', () => {
  const ds = 'flow_metrics.network_map.1m'
  assert.equal(
    tags(ds, { time: T, l3_device_type: 6, l3_device_id: 5, l3_device_type_1: 10, l3_device_id_1: 5 }),
    want(ds, '"time":1715133600,"l3_device_0":"host-5","l3_device_type_0":"host","l3_device_id_1":5,"l3_device_type_1":"pod"'),
  )
})

test('host: host map first, else device 6:<id>; service: service map first, else device 102:<id>', () => {
  const ds = 'flow_metrics.application.1m'
  assert.equal(tags(ds, { time: T, host_id: 4, service_id: 201 }), want(ds, '"time":1715133600,"host":"hv-4","service":"details"'))
  assert.equal(tags(ds, { time: T, host_id: 5, service_id: 176 }), want(ds, '"time":1715133600,"host":"host-5","service":"reviews"'))
  assert.equal(tags(ds, { time: T, host_id: 6, service_id: 177 }), want(ds, '"time":1715133600,"host_id":6,"service_id":177'))
})

test('auto_*: device "<type>:<id>"; type 255/0 -> the same side\'s IP, even when the IP is not exported', () => {
  const record = {
    time: T,
    ip4_0: '10.0.0.1',
    ip4_1: '10.0.0.2',
    is_ipv4: 1,
    end_time: 1715133600000000,
    auto_instance_id_0: 21,
    auto_instance_type_0: 1,
    auto_service_id_0: 176,
    auto_service_type_0: 102,
    auto_instance_id_1: 4,
    auto_instance_type_1: 255,
    auto_service_id_1: 8,
    auto_service_type_1: 0,
  }
  const auto =
    '[auto_instance_id_0, auto_instance_type_0, auto_service_id_0, auto_service_type_0, auto_instance_id_1, auto_instance_type_1, auto_service_id_1, auto_service_type_1]'
  assert.equal(
    tags(L7, record, [], auto),
    want(
      L7,
      '"auto_instance_0":"vm-21","auto_instance_type_0":"chost","auto_service_0":"reviews","auto_service_type_0":"service","auto_instance_1":"10.0.0.2","auto_instance_type_1":"ip","auto_service_1":"10.0.0.2","auto_service_type_1":"internet_ip"',
    ),
  )
})

test('auto_* of IP type on an IPv6 record (is_ipv4 0) uses ip6 of the same side', () => {
  const ds = 'flow_log.l4_flow_log'
  const record = {
    ip6_0: '2001:db8::1',
    ip6_1: '2001:db8::2',
    is_ipv4: 0,
    auto_instance_id_1: 3,
    auto_instance_type_1: 255,
    time: T,
    end_time: 1715133600000000,
  }
  assert.equal(
    tags(ds, record),
    want(
      ds,
      '"ip6_0":"2001:db8::1","ip6_1":"2001:db8::2","is_ipv4":0,"auto_instance_1":"2001:db8::2","auto_instance_type_1":"ip","time":1715133600,"end_time":1715133600000000',
    ),
  )
})

test('auto_* of Internet type with id 0 (as DeepFlow records it) gives the IP, not ""', () => {
  const ds = 'flow_metrics.network.1m'
  assert.equal(
    tags(ds, { time: T, ip4: '8.8.8.8', is_ipv4: 1, auto_instance_id: 0, auto_instance_type: 0, auto_service_id: 0, auto_service_type: 0 }),
    want(
      ds,
      '"time":1715133600,"ip4":"8.8.8.8","auto_instance":"8.8.8.8","auto_instance_type":"internet_ip","auto_service":"8.8.8.8","auto_service_type":"internet_ip","is_ipv4":1',
    ),
  )
})

test('universal off: auto_*_type falls back to its enum (flow logs, events); flow_metrics have no fallback', () => {
  const r = {
    time: T,
    end_time: 1715133600000000,
    auto_instance_id_0: 153,
    auto_instance_type_0: 10,
    auto_service_id_0: 33,
    auto_service_type_0: 130,
    auto_instance_type_1: 255,
    pod_group_type_0: 130,
  }
  assert.equal(
    tags(L7, r, [UOFF]),
    want(
      L7,
      '"time":1715133600,"end_time":1715133600000000,"pod_group_type_0":"Deployment","auto_instance_id_0":153,"auto_instance_type_0":"K8s POD","auto_service_id_0":33,"auto_service_type_0":"Deployment","auto_instance_type_1":"IP"',
    ),
  )
  assert.equal(
    tags(L7, r, [UOFF, EOFF]),
    want(
      L7,
      '"time":1715133600,"end_time":1715133600000000,"pod_group_type_0":130,"auto_instance_id_0":153,"auto_instance_type_0":10,"auto_service_id_0":33,"auto_service_type_0":130,"auto_instance_type_1":255',
    ),
  )
  const ev = 'event.file_event'
  assert.equal(
    tags(ev, { time: T, end_time: 1715133600000000, auto_instance_type: 120 }, [UOFF]),
    want(ev, '"time":1715133600,"end_time":1715133600000000,"auto_instance_type":"Process"'),
  )
  const nm = 'flow_metrics.network.1m'
  assert.equal(
    tags(nm, { time: T, auto_instance_type: 10, l3_device_type: 10 }, [UOFF]),
    want(nm, '"time":1715133600,"l3_device_type":10,"auto_instance_type":10'),
  )
})

test('universal on wins over the enum for auto_*_type (device table spelling), enum off does not matter', () => {
  const r = { time: T, end_time: 1715133600000000, auto_instance_type_0: 10, auto_service_type_0: 130 }
  const body = '"time":1715133600,"end_time":1715133600000000,"auto_instance_type_0":"pod","auto_service_type_0":"pod_group"'
  assert.equal(tags(L7, r), want(L7, body))
  assert.equal(tags(L7, r, [EOFF]), want(L7, body))
})

test('without any dictionary: ids stay raw under _id keys, types still named, 0 ids still dropped', () => {
  const ds = 'flow_metrics.network.1m'
  assert.equal(
    encodeOne('export-fields: [$tag]', ds, { time: T, pod_id: 153, agent_id: 7, region_id: 0, l3_device_type: 10 }),
    want(ds, '"time":1715133600,"l3_device_type":"pod","pod_id":153,"agent_id":7'),
  )
})

test('event: host_node_id (ClickHouse pod_node_id) is never translated; ids of events translated', () => {
  const ds = 'event.file_event'
  assert.equal(
    tags(ds, { time: T, end_time: 1715133600000000, pod_node_id: 1, pod_ns_id: 1, agent_id: 7 }),
    want(ds, '"time":1715133600,"end_time":1715133600000000,"host_node_id":1,"pod_ns":"default","agent":"node-1-V3"'),
  )
})
