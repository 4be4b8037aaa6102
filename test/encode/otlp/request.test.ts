// The encoder's output as a request: concatenations, the tap's lines, and no record that throws.
import test from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { GogoExportTraceServiceRequest } from './gogo-types.ts'
import { otlpTapLines } from '../../../src/encode/otlp/span-tap.ts'
import { compileOtlpSpanEncoder } from '../../../src/encode/otlp/to-otlp-span.ts'
import type { Value } from '../../../src/record/values.ts'
import { EMPTY_DICTIONARY } from '../../../src/translate/dictionary.ts'
import { decodeAll, decodeOne, DICT, DS, encode, exporter, hex, record as recordOf } from './helpers.ts'
import { HTTP_RECORD } from './records.ts'

const ALL = ['$tag', '$metrics', '$k8s.label']
const DNS = { time: 1, _id: 5, l7_protocol: 120, request_type: 'AAAA', request_resource: 'a.example', observation_point: 's' }

test('two encodings concatenated are one request with two ResourceSpans', () => {
  const a = encode(ALL, HTTP_RECORD, { dictionary: DICT })
  const b = encode(ALL, DNS, { dictionary: DICT })
  const both = new Uint8Array(a.length + b.length)
  both.set(a)
  both.set(b, a.length)
  assert.equal(a[0], 0x0a) // field 1 of ExportTraceServiceRequest, length-delimited
  const spans = decodeAll(both)
  assert.equal(spans.length, 2)
  assert.deepEqual(spans, [decodeOne(a), decodeOne(b)])
  assert.equal(spans[1]!.name, '')
  assert.equal(otlpTapLines(both).length, 2)
})

test('tap lines: resource and span attributes in wire order, ids as hex, times as strings', () => {
  const bytes = encode(['$tag.native_tag', '$tag.tracing_info', '$tag.flow_info', '$metrics'], {
    time: 1,
    _id: 258,
    trace_id: 'abcd',
    attribute_names: ['z', '10', 'a', 'z'],
    attribute_values: ['first', 'ten', 'x', 'second'], // "z" again: updated in place
    start_time: 1,
    end_time: 2,
    request_length: -1,
    metrics_names: ['m'],
    metrics_values: [1e21],
  })
  const [line] = otlpTapLines(bytes)
  assert.equal(
    line,
    '{"resource":{"df.flow_info.id":258,"df.flow_info.time":2000},"span":{"traceId":"abcd0000000000000000000000000000",' +
      '"spanId":"0000000000000102","parentSpanId":"","name":"","kind":0,"startTimeUnixNano":"1000","endTimeUnixNano":"2000",' +
      '"attributes":{"z":"second","10":"ten","a":"x","df.span.native.trace_id":"abcd","df.span.type":"request",' +
      '"df.metrics.request_length":-1,"m":1e+21},"events":[],"status":{"code":0,"message":""}}}',
  )
  const parsed = JSON.parse(line!)
  assert.equal(parsed.span.attributes.z, 'second')
})

test('tap lines: events and 64-bit values stay exact', () => {
  const bytes = encode(['$tag.application_layer', '$tag.flow_info'], {
    time: 1,
    _id: '18446744073709551615',
    l7_protocol: 20,
    response_exception: 'boom',
    end_time: 1715133600123512,
  })
  const parsed = otlpTapLines(bytes)[0]!
  assert.match(parsed, /"df\.flow_info\.id":-1,/) // int64(uint64 max)
  assert.match(parsed, /"df\.flow_info\.time":1715133600123512000,/)
  assert.match(parsed, /"events":\[\{"name":"boom"\}\]/)
})

// Any value the normaliser can produce, field by field, absent included.
function arbitraryValue(type: string): fc.Arbitrary<Value | undefined> {
  const absent = fc.constant(undefined)
  const weirdString = fc.oneof(
    fc.string(),
    fc.constantFrom(
      '',
      '::',
      'c-p',
      's',
      'HTTP',
      'OTel',
      'TCP',
      '56a5e1c519ae4c76a2b8b11d92cead7f.1234',
      '56a5e1c519ae4c76a2b8b11d92cead7f.1.2',
    ),
    fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF.-'), maxLength: 48 }),
    fc.uuid(),
  )
  const u64 = fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((b) => (b <= 2n ** 53n ? Number(b) : b)))
  switch (type) {
    case 'u8':
      return fc.oneof(absent, fc.integer({ min: 0, max: 255 }), weirdString)
    case 'u16':
      return fc.oneof(absent, fc.integer({ min: 0, max: 65535 }), weirdString)
    case 'u32':
    case 'ip4':
      return fc.oneof(absent, fc.integer({ min: 0, max: 2 ** 32 - 1 }), weirdString)
    case 'i32':
      return fc.oneof(absent, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), weirdString)
    case 'u64':
    case 'mac':
      return fc.oneof(absent, u64, weirdString)
    case 'i64':
      return fc.oneof(
        absent,
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => (b <= 2n ** 53n && b >= -(2n ** 53n) ? Number(b) : b)),
      )
    case 'bool':
      return fc.oneof(absent, fc.constantFrom(0, 1))
    case 'f64':
      return fc.oneof(absent, fc.double({ noNaN: true, noDefaultInfinity: true }))
    case 'string[]':
      return fc.oneof(absent, fc.array(fc.string(), { maxLength: 4 }))
    case 'f64[]':
      return fc.oneof(absent, fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 4 }))
    case 'ip6':
      return fc.oneof(absent, fc.constantFrom('::', 'fd00::1', '10.0.0.1'))
    default:
      return fc.oneof(absent, weirdString)
  }
}

test('no record makes the encoder throw, in either mode, with or without a dictionary; the bytes decode, and are what protobufjs writes for the message they hold', () => {
  const encoders = [false, true].flatMap((quirks) =>
    [DICT, EMPTY_DICTIONARY].map((d) => compileOtlpSpanEncoder(exporter(ALL), DS, { current: d }, { deepflowQuirks: quirks }))
  )
  const record = fc.tuple(...DS.fields.map((f) => arbitraryValue(f.type))).map((values) => ({ values, timeUs: 0 }))
  fc.assert(
    fc.property(record, (r) => {
      for (const enc of encoders) {
        const bytes = enc(r)
        assert.equal(decodeAll(bytes).length, 1)
        assert.equal(otlpTapLines(bytes).length, 1)
        // span-writer.ts writes with protobufjs's Writer directly: the same bytes as its Type.encode
        // (with pdata's id presence) of the decoded message.
        assert.equal(hex(GogoExportTraceServiceRequest.encode(GogoExportTraceServiceRequest.decode(bytes)).finish()), hex(bytes))
      }
    }),
    { numRuns: 300 },
  )
})

test('the encoder is deterministic and keeps no state between records', () => {
  const enc = compileOtlpSpanEncoder(exporter(ALL), DS, { current: DICT }, { deepflowQuirks: false })
  const one = hex(encode(ALL, HTTP_RECORD, { dictionary: DICT }))
  const dns = hex(encode(ALL, DNS, { dictionary: DICT }))
  const first = hex(enc(recordOf(HTTP_RECORD)))
  enc(recordOf(DNS))
  assert.equal(hex(enc(recordOf(HTTP_RECORD))), first)
  assert.equal(first, one)
  assert.equal(hex(enc(recordOf(DNS))), dns)
})
