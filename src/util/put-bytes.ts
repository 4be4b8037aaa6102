// Copies bytes into a buffer where encoders write: short pieces (label keys, JSON keys, names,
// heads: nearly all under 64 bytes) in a loop, which JavaScriptCore runs faster than a call into
// TypedArray.prototype.set; longer ones with set().

/** Up to this many bytes are copied in a loop. */
const SHORT = 64

/** Writes `bytes` at out[at]; returns where they end. */
export function putBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length
  if (n > SHORT) {
    out.set(bytes, at)
    return at + n
  }
  for (let i = 0; i < n; i++) out[at + i] = bytes[i]!
  return at + n
}
