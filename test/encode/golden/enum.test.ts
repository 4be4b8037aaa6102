// Enum translation (enums.json; §6.1-6.2): in place, numeric fields by decimal text, string fields by
// the string. Relay: an unknown value keeps its raw value and type (Q11 fix); names pass through.
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../../helpers/encode.ts'
import { T, TS_UTC } from './fixtures.ts'

const OFF = 'enum-translate-to-name-disabled: true'
const enc = (ds: string, record: object, extra = '') => encodeOne(`export-fields: [$tag]${extra === '' ? '' : `\n${extra}`}`, ds, record)
const want = (ds: string, body: string, ts = TS_UTC) => `{"datasource":"${ds}",${body},"time_str":"${ts}"}`

const L7 = 'flow_log.l7_flow_log'
const L7_KNOWN = {
  l7_protocol: 20,
  type: 1,
  response_status: 4,
  span_kind: 3,
  time: T,
  protocol: 6,
  nat_source: 6,
  signal_source: 4,
  observation_point: 'c-p',
  pod_group_type_0: 0,
  pod_group_type_1: 135,
  end_time: 1715133600000000,
}

test('l7: known values become display names', () => {
  assert.equal(
    enc(L7, L7_KNOWN),
    want(
      L7,
      '"l7_protocol":"HTTP","type":"Response","response_status":"Client Error","span_kind":"SPAN_KIND_CLIENT","time":1715133600,"protocol":"TCP","nat_source":"TOA","signal_source":"OTel","observation_point":"Client Process","end_time":1715133600000000,"pod_group_type_0":"--","pod_group_type_1":"CloneSet"',
    ),
  )
})

test('l7: enum-translate-to-name-disabled keeps raw numbers and codes', () => {
  assert.equal(
    enc(L7, L7_KNOWN, OFF),
    want(
      L7,
      '"l7_protocol":20,"type":1,"response_status":4,"span_kind":3,"time":1715133600,"protocol":6,"nat_source":6,"signal_source":4,"observation_point":"c-p","end_time":1715133600000000,"pod_group_type_0":0,"pod_group_type_1":135',
    ),
  )
})

test('l7: unknown values stay raw, numbers as numbers (Q11 fix): response_status 1, l7_protocol 9, ICMP in l7_ip_protocol', () => {
  const record = {
    l7_protocol: 9,
    type: 7,
    response_status: 1,
    span_kind: 9,
    time: T,
    protocol: 1,
    nat_source: 1,
    signal_source: 1,
    observation_point: 'zz',
    end_time: 1715133600000000,
  }
  assert.equal(
    enc(L7, record),
    want(
      L7,
      '"l7_protocol":9,"type":7,"response_status":1,"span_kind":9,"time":1715133600,"protocol":1,"nat_source":1,"signal_source":1,"observation_point":"zz","end_time":1715133600000000',
    ),
  )
})

test('l7: values already given as names pass through, with translation on or off', () => {
  const record = { l7_protocol: 'HTTP', type: 'Session', response_status: 'Success', time: T, protocol: 'TCP', end_time: 1715133600000000 }
  const body =
    '"l7_protocol":"HTTP","type":"Session","response_status":"Success","time":1715133600,"protocol":"TCP","end_time":1715133600000000'
  assert.equal(enc(L7, record), want(L7, body))
  assert.equal(enc(L7, record, OFF), want(L7, body))
})

test('l4: close_type, status, capture_nic_type, l4_signal_source; tunnel_type has no enum in L4', () => {
  const ds = 'flow_log.l4_flow_log'
  const record = {
    protocol: 47,
    tunnel_type: 1,
    time: T,
    close_type: 20,
    signal_source: 1,
    capture_nic_type: 7,
    end_time: 1715133600000000,
    status: 4,
  }
  assert.equal(
    enc(ds, record),
    want(
      ds,
      '"protocol":"GRE","tunnel_type":1,"time":1715133600,"close_type":"Normal - Client RST","signal_source":"xFlow","capture_nic_type":"eBPF","end_time":1715133600000000,"status":"Client Error"',
    ),
  )
  const unknown = { protocol: 255, time: T, close_type: 4, signal_source: 2, capture_nic_type: 9, end_time: 1715133600000000, status: 1 }
  assert.equal(
    enc(ds, unknown),
    want(
      ds,
      '"protocol":255,"time":1715133600,"close_type":4,"signal_source":2,"capture_nic_type":9,"end_time":1715133600000000,"status":1',
    ),
  )
})

test('network: role, protocol; signal_source uses l7_signal_source (1 is unknown there)', () => {
  const ds = 'flow_metrics.network.1m'
  assert.equal(
    enc(ds, { time: T, role: 3, protocol: 17, signal_source: 1 }),
    want(ds, '"time":1715133600,"role":"Rest","protocol":"UDP","signal_source":1'),
  )
  assert.equal(
    enc(ds, { time: T, role: 3, protocol: 17, signal_source: 3 }, OFF),
    want(ds, '"time":1715133600,"role":3,"protocol":17,"signal_source":3'),
  )
})

test('network_map: tunnel_type enum (known and unknown), capture_nic_type, nat_source, observation_point', () => {
  const ds = 'flow_metrics.network_map.1s'
  assert.equal(
    enc(ds, { time: T, capture_nic_type: 0, nat_source: 6, tunnel_type: 5, observation_point: 's-gw-hv' }),
    want(
      ds,
      '"time":1715133600,"capture_nic_type":"Local NIC","nat_source":"TOA","tunnel_type":"VXLAN-NSH","observation_point":"Server-side Gateway Hypervisor"',
    ),
  )
  assert.equal(enc(ds, { time: T, tunnel_type: 9 }), want(ds, '"time":1715133600,"tunnel_type":9'))
})

test('application_map: l7_protocol, role absent from map sources', () => {
  const ds = 'flow_metrics.application_map.1m'
  assert.equal(
    enc(ds, { time: T, l7_protocol: 127, signal_source: 0 }),
    want(ds, '"time":1715133600,"l7_protocol":"Custom","signal_source":"Packet"'),
  )
})

test('file_event: string enum event_type, file_type, signal_source; unknown string stays', () => {
  const ds = 'event.file_event'
  const r = { time: T, end_time: 1715133600000000, signal_source: 2, event_type: 'write', file_type: 3 }
  assert.equal(
    enc(ds, r),
    want(ds, '"time":1715133600,"end_time":1715133600000000,"signal_source":"IO","event_type":"Write","file_type":"Network File"'),
  )
  assert.equal(
    enc(ds, { ...r, event_type: 'open', file_type: 7, signal_source: 1 }),
    want(ds, '"time":1715133600,"end_time":1715133600000000,"signal_source":1,"event_type":"open","file_type":7'),
  )
  assert.equal(
    enc(ds, r, OFF),
    want(ds, '"time":1715133600,"end_time":1715133600000000,"signal_source":2,"event_type":"write","file_type":3'),
  )
})

test('perf_event: perf_event_signal_source and perf_event_type', () => {
  const ds = 'event.perf_event'
  assert.equal(
    enc(ds, { time: T, end_time: 1715133600000000, signal_source: 2, event_type: 'read' }),
    want(ds, '"time":1715133600,"end_time":1715133600000000,"signal_source":"IO","event_type":"Read"'),
  )
})
