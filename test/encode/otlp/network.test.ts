// net.* sides, IPv6, universal tags with and without a dictionary, status codes, capture_nic texts.
import test from 'node:test'
import assert from 'node:assert/strict'
import { assertGolden, decodeOne, DICT, encode } from './helpers.ts'

test('IPv6 server-side golden with a dictionary: net.* host = side 1 (chost), peer = side 0 (pod_node)', () => {
  const bytes = encode(['$tag.application_layer', '$tag.network_layer'], {
    time: 1,
    l7_protocol: 0,
    is_ipv4: 0,
    ip6_0: 'fd00::1',
    ip6_1: '::ffff:10.0.0.9', // IPv4-mapped: net.IP.String() prints it dotted
    protocol: 0, // gopacket: IPv6HopByHop
    client_port: 40000,
    server_port: 8080,
    observation_point: 's',
    l3_device_type_1: 1,
    l3_device_id_1: 21,
    pod_node_id_0: 1,
    l3_epc_id_0: -2,
    response_status: 6,
  }, { dictionary: DICT })
  assertGolden('network-ipv6-server', bytes, {
    resource: [
      ['df.network.is_ipv4', false],
      ['df.network.is_internet_0', true],
      ['df.network.is_internet_1', false],
      ['df.network.ip_0', 'fd00::1'],
      ['df.network.ip_1', '10.0.0.9'],
      ['df.network.protocol', 'IPv6HopByHop'], // note 4
      ['df.application.l7_protocol', 'N/A'],
      ['telemetry.sdk.name', 'deepflow'],
      ['telemetry.sdk.version', 'v7.1.7.3'],
    ],
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    kind: 0,
    start: 0n,
    end: 0n,
    attributes: [
      ['df.span.type', 'request'],
      // setServerSpanKindHostAndPeer L340-372
      ['net.host.name', 'vm-21'], // tags1 CHost
      ['net.host.port', 8080n],
      ['net.sock.host.addr', '10.0.0.9'],
      ['net.peer.name', 'node-1'], // tags0 CHost "" -> PodNode
      ['net.peer.port', 40000n],
      ['net.sock.peer.addr', 'fd00::1'],
    ],
    events: [],
    status: 0, // Parse Failed (6) -> UNSET
  })
})

test('addresses: IPv4 0 and IPv6 "::" are left out; an absent IPv6 is Go\'s nil IP, "<nil>"', () => {
  const net = (fields: Record<string, unknown>) =>
    decodeOne(encode(['$tag.application_layer', '$tag.network_layer'], { time: 1, observation_point: 'c', ...fields }))
  const v4 = net({ is_ipv4: 1, ip4_0: '0.0.0.0', ip4_1: '10.0.0.2' })
  assert.deepEqual(v4.attributes.filter(([k]) => k.startsWith('net.sock')), [['net.sock.peer.addr', '10.0.0.2']])
  const v6 = net({ is_ipv4: 0, ip6_0: '::', ip6_1: '::ffff:0.0.0.0' })
  assert.deepEqual(v6.attributes.filter(([k]) => k.startsWith('net.sock')), [['net.sock.peer.addr', '0.0.0.0']])
  const none = net({})
  assert.deepEqual(none.attributes.filter(([k]) => k.startsWith('net.sock')), [
    ['net.sock.host.addr', '<nil>'],
    ['net.sock.peer.addr', '<nil>'],
  ])
  assert.deepEqual(none.resource.slice(0, 6), [
    ['df.network.is_ipv4', false],
    ['df.network.is_internet_0', false],
    ['df.network.is_internet_1', false],
    ['df.network.ip_0', '<nil>'],
    ['df.network.ip_1', '<nil>'],
    ['df.network.protocol', 'IPv6HopByHop'],
  ])
  const proto = (protocol: number | string) => net({ protocol }).resource[5]![1]
  assert.equal(proto(17), 'UDP')
  assert.equal(proto(94), 'IPv4') // gopacket names IPIP "IPv4"
  assert.equal(proto(50), 'IPSecESP')
  assert.equal(proto(137), 'MPLS')
  assert.equal(proto(3), 'UnknownIPProtocol')
  assert.equal(proto('TCP'), 'TCP')
})

test('universal tags: none without a dictionary; with one, absent auto types are internet_ip plus the IP (note 3)', () => {
  const UT = ['$tag.universal_tag', '$tag.service_info', '$tag.capture_info']
  const input = { time: 1, is_ipv4: 1, ip4_0: '10.0.0.1', ip4_1: '10.0.0.2', agent_id: 7, observation_point: 's', signal_source: 0 }
  const without = decodeOne(encode(UT, input))
  assert.deepEqual(without.resource.map(([k]) => k), [
    'df.capture_info.signal_source',
    'df.capture_info.nat_source',
    'df.capture_info.capture_nic',
    'df.capture_info.capture_nic_type',
    'df.capture_info.observation_point',
  ])
  const withDict = decodeOne(encode(UT, input, { dictionary: DICT }))
  assert.deepEqual(withDict.resource, [
    ['df.universal_tag.auto_instance_type_0', 'internet_ip'],
    ['df.universal_tag.auto_instance_0', '10.0.0.1'],
    ['df.universal_tag.auto_service_type_0', 'internet_ip'],
    ['df.universal_tag.auto_service_0', '10.0.0.1'],
    ['df.universal_tag.auto_instance_type_1', 'internet_ip'],
    ['df.universal_tag.auto_instance_1', '10.0.0.2'],
    ['df.universal_tag.auto_service_type_1', 'internet_ip'],
    ['df.universal_tag.auto_service_1', '10.0.0.2'],
    ['service.name', '10.0.0.2'], // server side (s): tags1
    ['service.instance.id', '10.0.0.2'],
    ['df.capture_info.signal_source', 'Packet'],
    ['df.capture_info.nat_source', 'NONE'],
    ['df.capture_info.capture_nic', 'LMAC@none@00:00:00:00'], // type 0, tunnel 0
    ['df.capture_info.capture_nic_type', 'Local NIC'],
    ['df.capture_info.observation_point', 'Server NIC'],
    ['df.capture_info.agent', 'node-1-V3'],
  ])
  // type 255 (ip) also gives the IP; an unlisted type has no name and no device
  const other = decodeOne(
    encode(['$tag.universal_tag'], {
      ...input,
      auto_instance_type_0: 255,
      auto_instance_id_0: 9,
      auto_service_type_0: 77,
      auto_service_id_0: 1,
    }, { dictionary: DICT }),
  )
  assert.deepEqual(other.resource.slice(0, 2), [
    ['df.universal_tag.auto_instance_type_0', 'ip'],
    ['df.universal_tag.auto_instance_0', '10.0.0.1'],
  ])
  assert.deepEqual(other.resource[2], ['df.universal_tag.auto_instance_type_1', 'internet_ip'])
})

test('a pod-group workload type (130-135) is named pod_group (fix 3, deepflow#11874); deepflowQuirks leaves it out as DeepFlow does ("")', () => {
  const typeOf = (quirks: boolean, type: number) =>
    decodeOne(
      encode(['$tag.universal_tag'], { time: 1, is_ipv4: 1, auto_service_type_0: type, auto_service_id_0: 33 }, {
        dictionary: DICT,
        quirks,
      }),
    ).resource.find(([k]) => k === 'df.universal_tag.auto_service_type_0')?.[1]
  assert.deepEqual([130, 131, 132, 133, 134, 135].map((t) => typeOf(false, t)), Array(6).fill('pod_group'))
  assert.deepEqual([130, 135].map((t) => typeOf(true, t)), [undefined, undefined])
  assert.equal(typeOf(false, 136), undefined)
})

test('status code from every response_status (responseStatusToSpanStatus L606-615)', () => {
  const codeOf = (response_status: number | string) =>
    decodeOne(encode(['$tag.application_layer'], { time: 1, l7_protocol: 1, response_status })).status
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 255].map(codeOf), [1, 2, 0, 2, 2, 0, 0, 0, 0])
  assert.equal(codeOf('Server Error'), 2)
})

test('capture_nic texts (TapPortValueToString) and fix 2', () => {
  const nic = (fields: Record<string, unknown>, quirks = false) =>
    decodeOne(encode(['$tag.capture_info'], { time: 1, ...fields }, { quirks })).resource.find(([k]) => k === 'df.capture_info.capture_nic')
      ?.[1]
  assert.equal(nic({ capture_nic_type: 0, capture_nic: 0xaabbccdd, tunnel_type: 1 }), 'LMAC@VXLAN@aa:bb:cc:dd')
  assert.equal(nic({ capture_nic_type: 1, capture_nic: 0x01020304, tunnel_type: 4 }), 'GMAC@ERSPAN_TEB@01:02:03:04')
  assert.equal(nic({ capture_nic_type: 2, capture_nic: 0x0a000001 }), 'IPv4@10.0.0.1')
  assert.equal(nic({ capture_nic_type: 3, capture_nic: 0xabc }), 'IPv6@0x00000abc')
  assert.equal(nic({ capture_nic_type: 4, capture_nic: 42, tunnel_type: 3 }), 'ID@GRE@42')
  assert.equal(nic({ capture_nic_type: 5, capture_nic: 7 }), 'NetFlow@7')
  assert.equal(nic({ capture_nic_type: 6, capture_nic: 8 }), 'SFlow@8')
  // fmt's recovered panic of TunnelType(5).String()
  assert.equal(
    nic({ capture_nic_type: 0, tunnel_type: 5 }),
    'LMAC@%!s(PANIC=String method: runtime error: index out of range [5] with length 5)@00:00:00:00',
  )
  // types 7 (eBPF), 8 (OTel) and beyond: DeepFlow's Invalid text, left out by the relay
  for (const t of [7, 8, 200]) {
    assert.equal(nic({ capture_nic_type: t }, true), `Invalid TapPort type is ${t}.`)
    assert.equal(nic({ capture_nic_type: t }), undefined)
  }
  const types = (t: number) =>
    decodeOne(encode(['$tag.capture_info'], { time: 1, capture_nic_type: t })).resource.find(([k]) =>
      k === 'df.capture_info.capture_nic_type'
    )?.[1]
  assert.deepEqual([0, 3, 7, 8, 9].map(types), ['Local NIC', 'ERSPAN (IPv6)', 'eBPF', 'OTel', '9'])
})

test('tunnel_type: named 1-4, nothing for 0, left out past 4 (Go panics there)', () => {
  const tunnel = (tunnel_type: number) => decodeOne(encode(['$tag.tunnel_info'], { time: 1, tunnel_type })).resource
  assert.deepEqual(tunnel(0), [])
  assert.deepEqual(tunnel(2), [['df.tunnel.tunnel_type', 'IPIP']])
  assert.deepEqual(tunnel(4), [['df.tunnel.tunnel_type', 'ERSPAN_TEB']])
  assert.deepEqual(tunnel(5), [])
})
