// The body reader: the entrance's Content-Encoding table picks the decoder; the limit holds on
// the wire and after decoding (gzip inflation, snappy's announced length).
import test from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { gunzip } from '../../src/ingest/decode-gzip.ts'
import { unsnappy } from '../../src/ingest/decode-snappy.ts'
import { type BodyEncodings, identity, readBody } from '../../src/ingest/read-body.ts'
import { decodeUtf8 } from '../../src/ingest/utf8.ts'
import { snappyBlockCompress } from '../../src/util/snappy.ts'

const JSONISH: BodyEncodings = { absent: 'identity', decoders: { identity, gzip: gunzip }, unsupported: (e) => `no ${e}` }
const SNAPPY: BodyEncodings = { absent: 'snappy', decoders: { snappy: unsnappy }, unsupported: (e) => `not ${e}` }
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

function post(body: Uint8Array | string | null, headers: Record<string, string> = {}): Request {
  return new Request('http://relay/x', { method: 'POST', body: body as BodyInit | null, headers })
}

test('identity and gzip bodies come out as their bytes; an absent header means the table default', async () => {
  assert.deepEqual(await readBody(post('{"a":1}'), 100, JSONISH), { ok: true, bytes: new TextEncoder().encode('{"a":1}') })
  const gz = await readBody(post(gzipSync('{"b":2}'), { 'Content-Encoding': ' GZip ' }), 100, JSONISH)
  assert.equal(gz.ok && text(gz.bytes), '{"b":2}')
  const sn = await readBody(post(snappyBlockCompress(new TextEncoder().encode('protobuf'))), 100, SNAPPY)
  assert.equal(sn.ok && text(sn.bytes), 'protobuf')
})

test('an encoding the entrance does not take is 415 with its own sentence (inherited keys are no encodings)', async () => {
  assert.deepEqual(await readBody(post('x', { 'Content-Encoding': 'br' }), 100, JSONISH), { ok: false, status: 415, error: 'no br' })
  assert.deepEqual(await readBody(post('x', { 'Content-Encoding': 'constructor' }), 100, JSONISH), {
    ok: false,
    status: 415,
    error: 'no constructor',
  })
  assert.deepEqual(await readBody(post('x', { 'Content-Encoding': 'gzip' }), 100, SNAPPY), { ok: false, status: 415, error: 'not gzip' })
})

test("413 on the declared length, on the wire, after gzip inflation and on snappy's announced length", async () => {
  const tooLarge = (what: string) => ({
    ok: false,
    status: 413,
    error: `${what} is larger than the limit of 10 bytes (relay.max-body-bytes)`,
  })
  assert.deepEqual(await readBody(post('0123456789', { 'Content-Length': '11' }), 10, JSONISH), tooLarge('body'))
  assert.deepEqual(await readBody(post('0123456789A'), 10, JSONISH), tooLarge('body'))
  assert.deepEqual(await gunzip(new Uint8Array(gzipSync(' '.repeat(11))), 10), tooLarge('gzip-inflated body'))
  const bomb = snappyBlockCompress(new Uint8Array(1000))
  assert.ok(bomb.byteLength <= 100)
  assert.deepEqual(await readBody(post(bomb), 100, SNAPPY), {
    ok: false,
    status: 413,
    error: 'snappy-uncompressed body (1000 bytes) is larger than the limit of 100 bytes (relay.max-body-bytes)',
  })
})

test('bodies that are not what they claim are 400; no body is empty (gzip) or an error (snappy)', async () => {
  const notGzip = await gunzip(new TextEncoder().encode('plain text'), 100)
  assert.equal(notGzip.ok, false)
  assert.match(!notGzip.ok ? notGzip.error : '', /^body is not valid gzip: /)
  assert.deepEqual(await gunzip(new Uint8Array(0), 100), { ok: true, bytes: new Uint8Array(0) })
  assert.deepEqual(await readBody(post(null), 100, JSONISH), { ok: true, bytes: new Uint8Array(0) })
  assert.deepEqual(await readBody(post(null), 100, SNAPPY), {
    ok: false,
    status: 400,
    error: 'empty body; expected a snappy-compressed remote-write WriteRequest',
  })
  assert.deepEqual(unsnappy(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]), 100), {
    ok: false,
    status: 400,
    error: 'body is not snappy (block format): no valid length preamble',
  })
})

test('UTF-8 is strict: the first invalid byte is named, never replaced', () => {
  assert.deepEqual(decodeUtf8(new Uint8Array([0x7b, 0x22, 0xff, 0x22])), {
    ok: false,
    status: 400,
    error: 'body is not valid UTF-8 (first invalid byte at offset 2)',
  })
  assert.deepEqual(decodeUtf8(new TextEncoder().encode('{"é":1}')), { ok: true, text: '{"é":1}' })
})
