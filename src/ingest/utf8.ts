// Strict UTF-8 decoding of a JSON body: invalid bytes are an error naming the offset of the first
// one, never replaced by U+FFFD.

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
  try {
    return { ok: true, text: decoder.decode(bytes) }
  } catch {
    return { ok: false, status: 400, error: `body is not valid UTF-8 (first invalid byte at offset ${firstInvalidUtf8(bytes)})` }
  }
}
