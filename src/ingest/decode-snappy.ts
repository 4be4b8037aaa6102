// The snappy decoder of remote write (block format, as Prometheus sends it): the length its
// preamble announces is checked against the limit before anything is uncompressed.
import { snappyBlockUncompress } from '../util/snappy.ts'
import { type Decoder, tooLarge } from './read-body.ts'

/** The uncompressed length a snappy block announces (its varint preamble), or undefined. */
export function snappyLength(bytes: Uint8Array): number | undefined {
  let n = 0
  for (let i = 0; i < 5 && i < bytes.length; i++) {
    const b = bytes[i]!
    n += (b & 0x7f) * 2 ** (7 * i)
    if (b < 0x80) return n
  }
  return undefined
}

export const unsnappy: Decoder = (wire, limit) => {
  if (wire.byteLength === 0) return { ok: false, status: 400, error: 'empty body; expected a snappy-compressed remote-write WriteRequest' }
  const length = snappyLength(wire)
  if (length === undefined) return { ok: false, status: 400, error: 'body is not snappy (block format): no valid length preamble' }
  if (length > limit) return tooLarge(`snappy-uncompressed body (${length} bytes)`, limit)
  try {
    return { ok: true, bytes: snappyBlockUncompress(wire, limit) }
  } catch (err) {
    return { ok: false, status: 400, error: `body is not snappy (block format): ${err instanceof Error ? err.message : String(err)}` }
  }
}
