// What a durable buffer stores per entry (inside its frame, buffer/frame.ts): when it was written
// and the queue item's own bytes, as the exporter's item codec writes them:
//   written-at f64 (ms since the epoch, little endian) | item bytes
// The written-at time is what `buffer inspect` reports as the oldest entry's age.

export const ENTRY_HEAD_BYTES = 8

/** Writes an entry's head (its written-at time) at `at` of `buf`; the item's bytes follow it. */
export function writeEntryHead(buf: Uint8Array, at: number, writtenAtMs: number): void {
  new DataView(buf.buffer, buf.byteOffset, buf.byteLength).setFloat64(at, writtenAtMs, true)
}

export function encodeEntry(writtenAtMs: number, item: Uint8Array): Uint8Array {
  const out = new Uint8Array(ENTRY_HEAD_BYTES + item.length)
  new DataView(out.buffer).setFloat64(0, writtenAtMs, true)
  out.set(item, ENTRY_HEAD_BYTES)
  return out
}

/** The entry's parts; undefined when it is too short to be one. */
export function decodeEntry(payload: Uint8Array): { readonly writtenAtMs: number; readonly item: Uint8Array } | undefined {
  if (payload.length < ENTRY_HEAD_BYTES) return undefined
  const writtenAtMs = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getFloat64(0, true)
  return { writtenAtMs, item: payload.subarray(ENTRY_HEAD_BYTES) }
}
