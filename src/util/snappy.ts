// Snappy block format (snappyjs), typed alike under tsc and Deno: snappyjs ships no types, and
// each checker infers its own from the JavaScript.
import * as snappyjs from 'snappyjs'

export function snappyBlockCompress(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return snappyjs.compress(new Uint8Array(bytes)) as Uint8Array<ArrayBuffer>
}

/** Throws on data that is not snappy; `maxLength` bounds the inflated size (snappy's header). */
export function snappyBlockUncompress(bytes: Uint8Array, maxLength?: number): Uint8Array<ArrayBuffer> {
  return snappyjs.uncompress(new Uint8Array(bytes), maxLength) as Uint8Array<ArrayBuffer>
}
