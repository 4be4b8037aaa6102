// Strict UTF-8 decoding of a JSON body: invalid bytes are an error naming the offset of the first
// one, never replaced by U+FFFD. Buffer's decoder runs about 4x faster than a fatal TextDecoder on
// bodies of JSON (1.7 MB: 0.3 ms against 1.3 ms); it replaces invalid bytes with U+FFFD, so a text
// without one came from valid UTF-8, and only a text with one (rare: invalid bytes, or a U+FFFD
// the client sent) is decoded again strictly.
import { Buffer } from 'node:buffer'

export type Utf8Result = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly status: 400; readonly error: string }

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Offset of the first byte that is not valid UTF-8 (only called once decoding failed). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0
    if (len === 0 || i + len > bytes.length) return i
    try {
      decoder.decode(bytes.subarray(i, i + len))
    } catch {
      return i
    }
    i += len
  }
  return i
}

export function decodeUtf8(bytes: Uint8Array): Utf8Result {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  if (!text.includes('\uFFFD')) return { ok: true, text }
  try {
    return { ok: true, text: decoder.decode(bytes) }
  } catch {
    return { ok: false, status: 400, error: `body is not valid UTF-8 (first invalid byte at offset ${firstInvalidUtf8(bytes)})` }
  }
}
