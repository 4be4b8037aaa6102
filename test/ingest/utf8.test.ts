// The body decoder: exactly the strict decoder's verdict (text, or 400 naming the first invalid
// byte) on valid UTF-8 of every length class, on the invalid sequences (overlongs, surrogates,
// code points past U+10FFFF, stray continuation bytes, truncated sequences) and on U+FFFD the
// client really sent, whichever path (fast or strict) decides.
import test from 'node:test'
import assert from 'node:assert/strict'
import { decodeUtf8 } from '../../src/ingest/utf8.ts'

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const bytes = (...b: number[]) => new Uint8Array(b)
const utf8 = new TextEncoder()

function verdict(b: Uint8Array): string | null {
  try {
    return strict.decode(b)
  } catch {
    return null
  }
}

test('valid UTF-8 (ASCII, 2-, 3- and 4-byte characters, a BOM, a U+FFFD sent as such) decodes as the strict decoder does', () => {
  for (const s of ['{"a":1}', 'é', '中文', '😀', '\uFEFF{"bom":true}', '{"x":"\uFFFD"}', 'a\u0000b', '']) {
    const r = decodeUtf8(utf8.encode(s))
    assert.deepEqual(r, { ok: true, text: s }, JSON.stringify(s))
  }
})

test('invalid UTF-8 is refused with the offset of the first invalid byte, never replaced', () => {
  const cases: [Uint8Array, number][] = [
    [bytes(0x7b, 0x80, 0x7d), 1], // stray continuation byte
    [bytes(0x61, 0xc0, 0xaf), 1], // overlong "/"
    [bytes(0x61, 0x62, 0xe0, 0x80, 0xaf), 2], // overlong, 3 bytes
    [bytes(0xed, 0xa0, 0x80), 0], // a UTF-16 surrogate
    [bytes(0x20, 0xf4, 0x90, 0x80, 0x80), 1], // past U+10FFFF
    [bytes(0x20, 0x20, 0x20, 0xe4, 0xb8), 3], // truncated at the end
    [bytes(0xff), 0],
    [new Uint8Array([...utf8.encode('{"x":"\uFFFD"}'), 0xfe]), 11], // a real U+FFFD, then an invalid byte
  ]
  for (const [b, offset] of cases) {
    assert.deepEqual(
      decodeUtf8(b),
      { ok: false, status: 400, error: `body is not valid UTF-8 (first invalid byte at offset ${offset})` },
      `${[...b]}`,
    )
  }
})

test('random byte strings: the same verdict as the strict decoder', () => {
  let seed = 99
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
  const alphabet = [0x41, 0x7b, 0x22, 0xc3, 0xa9, 0xe4, 0xb8, 0xad, 0xf0, 0x9f, 0x98, 0x80, 0x80, 0xbf, 0xed, 0xef, 0xbd, 0xff]
  for (let i = 0; i < 5000; i++) {
    const b = new Uint8Array(Math.floor(rnd() * 12)).map(() => alphabet[Math.floor(rnd() * alphabet.length)]!)
    const want = verdict(b)
    const got = decodeUtf8(b)
    assert.equal(got.ok, want !== null, `${[...b]}`)
    if (got.ok) assert.equal(got.text, want)
  }
})
