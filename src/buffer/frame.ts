// One entry of a durable buffer's segment file, framed so that a reader can tell a whole entry
// from a torn or damaged one and find the next good one after it:
//   magic u32 "DFR1" | crc u32 | length u32 | payload (length bytes)
// little endian; crc is CRC-32C over the length field and the payload (the bytes after it), so a
// damaged length cannot pass for a good one. A reader that meets a bad frame (wrong magic, a length past the end of the
// file or above MAX_ENTRY_BYTES, a wrong crc) counts it once and scans forward for the next magic
// whose frame checks out: one bad entry costs that entry, never the rest of the file.
import { crc32c } from '../util/crc32c.ts'

export const FRAME_MAGIC = 0x31524644 // "DFR1" read as a little-endian u32
export const HEADER_BYTES = 12
/** The largest entry a frame may hold (a queue entry is one record: far smaller). */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024

/**
 * Completes a frame whose payload was written at `at + HEADER_BYTES` of `buf` (`length` bytes):
 * its magic, length and CRC, in place.
 */
export function sealFrame(buf: Uint8Array, at: number, length: number): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  view.setUint32(at, FRAME_MAGIC, true)
  view.setUint32(at + 8, length, true)
  view.setUint32(at + 4, crc32c(buf, at + 8, at + HEADER_BYTES + length), true)
}

/** What is at an offset of a segment's bytes. */
export type FrameAt =
  | { readonly kind: 'entry'; readonly payload: Uint8Array; readonly next: number }
  /** Not a whole, good frame; `why` says what was wrong. */
  | { readonly kind: 'bad'; readonly why: string }
  /** The bytes end here. */
  | { readonly kind: 'end' }

/** Reads the frame at `at` of `bytes` (a segment's content, or the part of it read so far). */
export function frameAt(bytes: Uint8Array, at: number): FrameAt {
  if (at >= bytes.length) return { kind: 'end' }
  if (bytes.length - at < HEADER_BYTES) return { kind: 'bad', why: `a torn header (${bytes.length - at} bytes at the end)` }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.getUint32(at, true) !== FRAME_MAGIC) return { kind: 'bad', why: 'no frame marker' }
  const length = view.getUint32(at + 8, true)
  if (length > MAX_ENTRY_BYTES) return { kind: 'bad', why: `a length of ${length} bytes` }
  const end = at + HEADER_BYTES + length
  if (end > bytes.length) return { kind: 'bad', why: `a torn entry (${length} bytes announced, ${bytes.length - at - HEADER_BYTES} there)` }
  if (view.getUint32(at + 4, true) !== crc32c(bytes, at + 8, end)) return { kind: 'bad', why: 'a wrong checksum' }
  return { kind: 'entry', payload: bytes.subarray(at + HEADER_BYTES, end), next: end }
}

/** The offset of the next good frame after a bad one at `at`, or bytes.length when there is none. */
export function nextGoodFrame(bytes: Uint8Array, at: number): number {
  for (let i = at + 1; i + HEADER_BYTES <= bytes.length; i++) {
    if (bytes[i] !== 0x44 || bytes[i + 1] !== 0x46 || bytes[i + 2] !== 0x52 || bytes[i + 3] !== 0x31) continue
    if (frameAt(bytes, i).kind === 'entry') return i
  }
  return bytes.length
}
