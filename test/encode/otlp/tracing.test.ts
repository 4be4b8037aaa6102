// Trace and span ids, parents and kinds (TRACING_INFO, otlp_export.go L147-177; getTraceID/getSpanID
// L302-327; otlp_utils.go L31-103), both modes where they differ, and the OTel branch (signal_source 4).
import test from 'node:test'
import assert from 'node:assert/strict'
import { assertGolden, decodeOne, encode, type Expected } from './helpers.ts'

const TRACING = ['$tag.tracing_info']
const ID = '72623859790382856' // 0x0102030405060708 (text: past 2^53)
const ID_HEX = '0102030405060708'

const traceIdOf = (trace_id: string | undefined) => decodeOne(encode(TRACING, { time: 1, _id: ID, trace_id })).traceId

test('trace id forms', () => {
  const cases: [string | undefined, string, string][] = [
    ['4bf92f3577b34da6a3ce929d0e0e4736', '4bf92f3577b34da6a3ce929d0e0e4736', 'hex, 16 bytes'],
    ['4BF92F3577B34DA6A3CE929D0E0E4736', '4bf92f3577b34da6a3ce929d0e0e4736', 'upper-case hex'],
    ['abcd', 'abcd0000000000000000000000000000', 'short hex: zero-padded (copy into [16]byte)'],
    ['00112233445566778899aabbccddeeff00112233', '00112233445566778899aabbccddeeff', 'long hex: truncated'],
    ['de5980b8-fce3-4a37-aab9-b4ac3af7eedd', 'de5980b8fce34a37aab9b4ac3af7eedd', 'SkyWalking UUID (uuid.Parse)'],
    ['56a5e1c519ae4c76a2b8b11d92cead7f.12.16563474296430001', '56a5e1c515ae4c7613e51e7cf616977f', 'SkyWalking xxx.mid.last XOR'],
    ['56a5e1c519ae4c76a2b8b11d92cead7f.-1.1', '56a5e1c5e651b389a3b8b11d92cead7f', 'negative mid: arithmetic shifts'],
    ['not-a-trace-id', '', 'non-hex, not a UUID, <= 36 bytes: empty (note 5)'],
    ['zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '', '36 bytes, UUID-shaped, not hex: empty'],
    ['abc', '', 'odd-length hex is a hex error: uuid.Parse fails: empty'],
    ['0123456789zz456789abcdef0123456789abcdef', '01234567890000000000000000000000', '> 36 bytes: the bytes decoded before the hex error'],
    ['56a5e1c519ae4c76a2b8b11d92cead7f-12.1656', '', 'first dot not at 32: zero (bare return)'],
    ['56a5e1c519ae4c76a2b8b11d92cead7f.99999999999999999999.1', '', 'mid out of int64: Atoi error: zero'],
    ['56a5e1c519ae4c76a2b8b11d92cead7f.1234', '', 'one dot at 32: Go panics (s[33:32]); the relay: empty'],
    ['00000000000000000000000000000000', '', 'all-zero id: pdata empty id'],
    ['', `${ID_HEX}0000000000000000`, 'empty: genTraceID(_id)'],
    [undefined, `${ID_HEX}0000000000000000`, 'absent: genTraceID(_id)'],
  ]
  for (const [input, want, why] of cases) assert.equal(traceIdOf(input), want, why)
})

test('trace id: the golden of a SkyWalking id, with the native ids as attributes', () => {
  const bytes = encode(TRACING, {
    time: 1,
    _id: ID,
    trace_id: '56a5e1c519ae4c76a2b8b11d92cead7f.12.16563474296430001',
    span_id: '53995c3f42cd8ad8',
    observation_point: 's-p',
  })
  const expected: Expected = {
    resource: [],
    traceId: '56a5e1c515ae4c7613e51e7cf616977f',
    spanId: ID_HEX,
    parentSpanId: '53995c3f42cd8ad8', // L168: hex(span_id), the same in both modes
    name: '',
    kind: 2, // s-p -> SERVER
    start: 0n,
    end: 0n,
    attributes: [
      ['df.span.native.trace_id', '56a5e1c519ae4c76a2b8b11d92cead7f.12.16563474296430001'],
      ['df.span.native.span_id', '53995c3f42cd8ad8'],
      ['df.span.type', 'request'], // type absent: 0
    ],
    events: [],
    status: 0,
  }
  assertGolden('tracing-skywalking', bytes, expected)
})

test('parent: span_id set -> its hex in both modes; absent -> self (quirks) or none (relay); not hex -> none', () => {
  const parentOf = (span_id: string | undefined, quirks: boolean) =>
    decodeOne(encode(TRACING, { time: 1, _id: ID, span_id, signal_source: 3 }, { quirks })).parentSpanId
  for (const quirks of [false, true]) {
    assert.equal(parentOf('53995c3f42cd8ad8', quirks), '53995c3f42cd8ad8')
    assert.equal(parentOf('abcd', quirks), 'abcd000000000000') // short: zero-padded to 8 bytes
    assert.equal(parentOf('53995c3f42cd8ad8ffff', quirks), '53995c3f42cd8ad8') // long: truncated
    assert.equal(parentOf('xyz', quirks), '') // L326: not hex -> empty
  }
  assert.equal(parentOf(undefined, true), ID_HEX) // deepflow#4252: its own parent
  assert.equal(parentOf('', true), ID_HEX)
  assert.equal(parentOf(undefined, false), '')
  assert.equal(parentOf('', false), '')
})

test('no-span-id golden in both modes (eBPF span, fix 1)', () => {
  const input = { time: 1, _id: ID, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', observation_point: 'c-p', signal_source: 3 }
  const expected = (parent: string): Expected => ({
    resource: [],
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: ID_HEX,
    parentSpanId: parent,
    name: '',
    kind: 3,
    start: 0n,
    end: 0n,
    attributes: [['df.span.native.trace_id', '4bf92f3577b34da6a3ce929d0e0e4736'], ['df.span.type', 'request']],
    events: [],
    status: 0,
  })
  assertGolden('tracing-no-span-id', encode(TRACING, input), expected(''))
  assertGolden('tracing-no-span-id-quirks', encode(TRACING, input, { quirks: true }), expected(ID_HEX))
})

test('OTel branch (signal_source 4): span id from span_id, parent from parent_span_id', () => {
  const otel = (fields: Record<string, unknown>, quirks = false) =>
    decodeOne(encode(TRACING, { time: 1, _id: ID, signal_source: 4, ...fields }, { quirks }))
  const golden = encode(TRACING, {
    time: 1,
    _id: ID,
    signal_source: 4,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
    parent_span_id: '53995c3f42cd8ad8',
    span_kind: 2,
    observation_point: 'app',
  })
  assertGolden('tracing-otel', golden, {
    resource: [],
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7', // L161
    parentSpanId: '53995c3f42cd8ad8', // L165
    name: '',
    kind: 2, // span_kind set (L172-173)
    start: 0n,
    end: 0n,
    attributes: [
      ['df.span.native.trace_id', '4bf92f3577b34da6a3ce929d0e0e4736'],
      ['df.span.native.span_id', '00f067aa0ba902b7'],
      ['df.span.type', 'request'],
    ],
    events: [],
    status: 0,
  })
  for (const quirks of [false, true]) {
    // L162-163: no parent_span_id -> an empty parent (a root span)
    assert.equal(otel({ span_id: '00f067aa0ba902b7' }, quirks).parentSpanId, '')
    // L161 getSpanID("", id): _id
    assert.equal(otel({}, quirks).spanId, ID_HEX)
    assert.equal(otel({ span_id: 'nothex' }, quirks).spanId, '')
    assert.equal(otel({ span_id: 'abcd', parent_span_id: 'zz' }, quirks).spanId, 'abcd000000000000')
    assert.equal(otel({ span_id: 'abcd', parent_span_id: 'zz' }, quirks).parentSpanId, '')
  }
  // The full uint16 is compared (L160): 260 is not OTel here, though its 8-bit name is "OTel" (L210).
  const s = decodeOne(encode([...TRACING, '$tag.capture_info'], { time: 1, _id: ID, signal_source: 260, span_id: '00f067aa0ba902b7' }))
  assert.equal(s.spanId, ID_HEX)
  assert.equal(s.parentSpanId, '00f067aa0ba902b7')
  assert.deepEqual(s.resource[0], ['df.capture_info.signal_source', 'OTel'])
  // A name given instead of the number is read back: "OTel" is 4.
  assert.equal(decodeOne(encode(TRACING, { time: 1, _id: ID, signal_source: 'OTel', span_id: 'abcd' })).spanId, 'abcd000000000000')
})

test('kind: span_kind when set, else the observation point (c* CLIENT, s* SERVER, else UNSPECIFIED)', () => {
  const kindOf = (fields: Record<string, unknown>, fieldsList = TRACING) => decodeOne(encode(fieldsList, { time: 1, ...fields })).kind
  assert.equal(kindOf({ observation_point: 'c' }), 3)
  assert.equal(kindOf({ observation_point: 'c-gw-hv' }), 3)
  assert.equal(kindOf({ observation_point: 's-nd' }), 2)
  assert.equal(kindOf({ observation_point: 'Server Process' }), 2) // a display name reads back as s-p
  assert.equal(kindOf({ observation_point: 'local' }), 0)
  assert.equal(kindOf({ observation_point: 'rest' }), 0)
  assert.equal(kindOf({ observation_point: 'app' }), 0)
  assert.equal(kindOf({}), 0)
  assert.equal(kindOf({ observation_point: 'c', span_kind: 2 }), 2) // span_kind wins
  assert.equal(kindOf({ observation_point: 's', span_kind: 5 }), 5)
  assert.equal(kindOf({ observation_point: 's', span_kind: 0 }), 2) // 0 is "unset"
  assert.equal(kindOf({ observation_point: 'c', span_kind: 'SPAN_KIND_PRODUCER' }), 4)
  assert.equal(kindOf({ observation_point: 'c', span_kind: 3 }, ['$tag.application_layer']), 0) // kind is TRACING_INFO's
})

test('kind from span_kind does not move the net.* sides: they follow the observation point (note 2)', () => {
  const s = decodeOne(encode(['$tag.tracing_info', '$tag.application_layer'], {
    time: 1,
    observation_point: 'c',
    span_kind: 2,
    is_ipv4: 1,
    client_port: 40000,
    server_port: 80,
  }))
  assert.equal(s.kind, 2)
  assert.deepEqual(s.attributes.filter(([k]) => k.startsWith('net.')), [
    ['net.host.port', 40000n],
    ['net.peer.port', 80n],
  ])
})
