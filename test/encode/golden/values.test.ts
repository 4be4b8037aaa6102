// Value formatting (§2.3 step 3-4, relay rule 2): exact 64-bit integers, bools 0/1, ip4 dotted,
// mac lowercase, ip6 as Go net.IP.String() (emitted: Q6 fix), f64 as FormatFloat('f', -1).
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../../helpers/encode.ts'
import { fromJson, T, TS_UTC } from './fixtures.ts'

const L7 = 'flow_log.l7_flow_log'
const L4 = 'flow_log.l4_flow_log'
const want = (ds: string, body: string) => `{"datasource":"${ds}",${body},"time_str":"${TS_UTC}"}`
const pick = (ds: string, fields: string, record: unknown) => encodeOne(`export-fields: [${fields}]`, ds, record)

const U64 = '_id, request_id, flow_id, syscall_trace_id_request, syscall_trace_id_response, syscall_coroutine_0, syscall_coroutine_1'

test('uint64 above 2^53 as JSON numbers: exact', () => {
  const record = fromJson(
    '{"_id":18446744073709551615,"request_id":9007199254740993,"time":1715133600,"flow_id":9223372036854775808,"end_time":1715133600000000,"syscall_trace_id_request":12345678901234567,"syscall_trace_id_response":18446744073709551614,"syscall_coroutine_0":9007199254740992,"syscall_coroutine_1":1}',
  )
  assert.equal(
    pick(L7, U64, record),
    want(
      L7,
      '"_id":18446744073709551615,"request_id":9007199254740993,"flow_id":9223372036854775808,"syscall_trace_id_request":12345678901234567,"syscall_trace_id_response":18446744073709551614,"syscall_coroutine_0":9007199254740992,"syscall_coroutine_1":1',
    ),
  )
})

test('uint64 given as numeric strings (ClickHouse quoting): exact numbers', () => {
  const record = {
    _id: '18446744073709551615',
    request_id: '9007199254740993',
    time: T,
    flow_id: '42',
    end_time: '1715133600000000',
    syscall_trace_id_request: '0',
  }
  assert.equal(
    pick(L7, U64, record),
    want(L7, '"_id":18446744073709551615,"request_id":9007199254740993,"flow_id":42,"syscall_trace_id_request":0'),
  )
})

test('uint64 as an exactly representable JS number above 2^53', () => {
  assert.equal(pick(L7, '_id', { _id: 2 ** 60, time: T, end_time: 1715133600000000 }), want(L7, '"_id":1152921504606846976'))
})

test('u64 metrics and l4 _id / flow_id exact', () => {
  const record = fromJson(
    '{"_id":18446744073709551615,"time":1715133600,"flow_id":9007199254740993,"end_time":1715133600000000,"duration":18446744073709551615,"byte_tx":9007199254740995}',
  )
  assert.equal(
    pick(L4, '_id, flow_id, duration, byte_tx', record),
    want(L4, '"_id":18446744073709551615,"flow_id":9007199254740993,"duration":18446744073709551615,"byte_tx":9007199254740995'),
  )
})

test('signed integers: negative i32, i64 (request_length beyond 32 bits written as given)', () => {
  const record = fromJson(
    '{"response_code":-500,"request_length":5000000000,"response_length":-1,"time":1715133600,"start_time":-1,"end_time":1715133600000000}',
  )
  assert.equal(
    pick(L7, 'response_code, request_length, response_length, start_time', record),
    want(L7, '"response_code":-500,"request_length":5000000000,"response_length":-1,"start_time":-1'),
  )
})

test('bools: true/false/1/0 -> 1/0', () => {
  const fields = 'is_ipv4, l2_end_0, l2_end_1, l3_end_0, l3_end_1'
  const record = { is_ipv4: true, time: T, l2_end_0: false, l2_end_1: 1, l3_end_0: 0, l3_end_1: true, end_time: 1715133600000000 }
  assert.equal(pick(L4, fields, record), want(L4, '"is_ipv4":1,"l2_end_0":0,"l2_end_1":1,"l3_end_0":0,"l3_end_1":1'))
})

test('ip4: dotted text or uint32 number', () => {
  const record = {
    ip4_0: 167772161,
    ip4_1: '255.255.255.255',
    tunnel_tx_ip4_0: 0,
    tunnel_rx_ip4_1: 4294967295,
    time: T,
    nat_real_ip_1: '1.2.3.4',
    end_time: 1715133600000000,
  }
  assert.equal(
    pick(L4, 'ip4_0, ip4_1, tunnel_tx_ip4_0, tunnel_rx_ip4_1, nat_real_ip_1', record),
    want(
      L4,
      '"ip4_0":"10.0.0.1","ip4_1":"255.255.255.255","tunnel_tx_ip4_0":"0.0.0.0","tunnel_rx_ip4_1":"255.255.255.255","nat_real_ip_1":"1.2.3.4"',
    ),
  )
})

test('mac: text in any case or integer -> lowercase aa:bb:cc:dd:ee:ff', () => {
  const record = { mac_0: 'AA:BB:CC:DD:EE:FF', mac_1: 187723572702975, time: T, end_time: 1715133600000000 }
  assert.equal(pick(L4, 'mac_0, mac_1', record), want(L4, '"mac_0":"aa:bb:cc:dd:ee:ff","mac_1":"aa:bb:cc:dd:ee:ff"'))
  assert.equal(
    pick(L4, 'mac_0, mac_1', { mac_0: 0, mac_1: 1, time: T, end_time: 1715133600000000 }),
    want(L4, '"mac_0":"00:00:00:00:00:00","mac_1":"00:00:00:00:00:01"'),
  )
  // MacString: the low 48 bits of the uint64
  assert.equal(pick(L4, 'mac_0', { mac_0: 469198549413631, time: T, end_time: 1715133600000000 }), want(L4, '"mac_0":"aa:bb:cc:dd:ee:ff"'))
})

test('ip6: Go net.IP.String(): RFC 5952 compression, lowercase, IPv4-mapped as dotted IPv4', () => {
  const cases: [string, string][] = [
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::FFFF:0A00:0002', '10.0.0.2'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::1', '::1'],
    ['FE80:0:0:0:0:0:0:1', 'fe80::1'],
    ['2001:db8::0:0:1', '2001:db8::1'],
  ]
  for (const [input, text] of cases) {
    assert.equal(pick(L7, 'ip6_0', { ip6_0: input, time: T, end_time: 1715133600000000 }), want(L7, `"ip6_0":"${text}"`), input)
  }
})

test('ip6 in every data source that has it (tunnel ip6 of L4, ip6 of metrics and events)', () => {
  const tunnel = {
    tunnel_tx_ip6_0: '2001:db8::a',
    tunnel_tx_ip6_1: '2001:DB8::B',
    tunnel_rx_ip6_0: '::ffff:1.2.3.4',
    tunnel_rx_ip6_1: 'fd00::',
    time: T,
    end_time: 1715133600000000,
  }
  assert.equal(
    pick(L4, 'tunnel_tx_ip6_0, tunnel_tx_ip6_1, tunnel_rx_ip6_0, tunnel_rx_ip6_1', tunnel),
    want(L4, '"tunnel_tx_ip6_0":"2001:db8::a","tunnel_tx_ip6_1":"2001:db8::b","tunnel_rx_ip6_0":"1.2.3.4","tunnel_rx_ip6_1":"fd00::"'),
  )
  assert.equal(
    pick('flow_metrics.network_map.1m', 'ip6_0, ip6_1', { time: T, ip6: 'fd00::1', ip6_1: 'fd00::2' }),
    want('flow_metrics.network_map.1m', '"ip6_0":"fd00::1","ip6_1":"fd00::2"'),
  )
  assert.equal(
    pick('event.file_event', 'ip6', { time: T, end_time: 1715133600000000, ip6: '2001:db8::5' }),
    want('event.file_event', '"ip6":"2001:db8::5"'),
  )
})

test("f64 array values: Go FormatFloat(v, 'f', -1, 64), never an exponent", () => {
  const record = { metrics_values: [1e21, 0.1, 1.5e-7, -2.5, 3, 123456789.125, 1e-7, 0, 2.5e25], time: T, end_time: 1715133600000000 }
  assert.equal(
    pick(L7, 'metrics_values', record),
    want(L7, '"metrics_values":[1000000000000000000000,0.1,0.00000015,-2.5,3,123456789.125,0.0000001,0,25000000000000000000000000]'),
  )
  const max = { metrics_values: [1.7976931348623157e308], time: T, end_time: 1715133600000000 }
  assert.equal(pick(L7, 'metrics_values', max), want(L7, `"metrics_values":[17976931348623157${'0'.repeat(292)}]`))
})

test('f64 array values given as numeric strings', () => {
  assert.equal(
    pick(L7, 'metrics_values', { metrics_values: ['1.25', '1e21'], time: T, end_time: 1715133600000000 }),
    want(L7, '"metrics_values":[1.25,1000000000000000000000]'),
  )
})

test('f64 negative zero: Go FormatFloat(-0, \'f\', -1, 64) is "-0"', () => {
  assert.equal(
    pick(L7, 'metrics_values', { metrics_values: [-0, 0], time: T, end_time: 1715133600000000 }),
    want(L7, '"metrics_values":[-0,0]'),
  )
})
