// Cuts small byte strings (a queued record's encoded bytes) out of shared slabs instead of one
// buffer each: a view of a 64 KiB slab costs one small object, where a buffer of its own costs an
// allocation, a buffer object and a view. A slab is freed when the last view cut from it is; the
// queues it feeds are first in, first out, so a slab lives about as long as its bytes do.

/** Slab size: bytes are cut from slabs this large (longer ones get a slab of their own). */
export const SLAB_BYTES = 64 * 1024

export class Slabs {
  private slab = new Uint8Array(0)
  private used = 0

  constructor(private readonly slabBytes = SLAB_BYTES) {}

  /** A copy of `bytes`, in the current slab (a new one when it lacks room). */
  cut(bytes: Uint8Array): Uint8Array {
    const n = bytes.length
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(Math.max(this.slabBytes, n))
      this.used = 0
    }
    const out = this.slab.subarray(this.used, this.used + n)
    out.set(bytes)
    this.used += n
    return out
  }
}
