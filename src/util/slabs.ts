// Cuts small byte strings (a queued record's encoded bytes) out of shared slabs instead of one
// buffer each: a view of a 64 KiB slab costs one small object, where a buffer of its own costs an
// allocation, a buffer object and a view. A slab is freed when the last view cut from it is; the
// queues it feeds are first in, first out, so a slab lives about as long as its bytes do.
//
// Recycling (keep > 0): whoever holds a view may give it back with release() once nothing reads it
// any more (a remote-write batch its receiver took, or dropped). A slab whose every view was given
// back is kept (up to `keep` of them) and cut again, instead of waiting for a full collection:
// queued bytes outlive the young generation, so without this every byte sent is old garbage, and
// with a full queue that is as much garbage as the queue takes in. A view never given back only
// leaves its slab to the collector, as without recycling. A view must be given back once, and only
// when nothing reads it any more (its bytes are then overwritten).

/** Slab size: bytes are cut from slabs this large (longer ones get a buffer of their own). */
export const SLAB_BYTES = 64 * 1024

export class Slabs {
  private slab = new Uint8Array(0)
  private used = 0
  /** Bytes cut from each recycling slab and not given back (weak: a slab nobody gives back is collected). */
  private readonly outstanding = new WeakMap<ArrayBufferLike, number>()
  private readonly kept: Uint8Array<ArrayBuffer>[] = []

  /** `keep`: slabs kept for reuse once all their views were given back (0: no recycling). */
  constructor(private readonly slabBytes = SLAB_BYTES, private readonly keep = 0) {}

  /** A copy of `bytes`, in the current slab (a new or recycled one when it lacks room). */
  cut(bytes: Uint8Array): Uint8Array {
    const n = bytes.length
    if (this.used + n > this.slab.length) {
      if (n > this.slabBytes) return bytes.slice()
      this.retire()
      this.slab = this.kept.pop() ?? new Uint8Array(this.slabBytes)
      this.used = 0
      if (this.keep > 0) this.outstanding.set(this.slab.buffer, 0)
    }
    const out = this.slab.subarray(this.used, this.used + n)
    out.set(bytes)
    this.used += n
    if (this.keep > 0) this.outstanding.set(this.slab.buffer, this.outstanding.get(this.slab.buffer)! + n)
    return out
  }

  /** Gives back a view cut here (see the header): once per view, when nothing reads it any more. */
  release(view: Uint8Array): void {
    const buffer = view.buffer
    const left = this.outstanding.get(buffer)
    if (left === undefined) return
    const after = left - view.length
    this.outstanding.set(buffer, after)
    if (after === 0 && buffer !== this.slab.buffer) this.recycle(buffer)
  }

  /** Slabs kept for reuse now. */
  get keptSlabs(): number {
    return this.kept.length
  }

  /** The current slab is left: recycled at once when every view cut from it was given back. */
  private retire(): void {
    const buffer = this.slab.buffer
    if (this.keep > 0 && this.outstanding.get(buffer) === 0) this.recycle(buffer)
  }

  private recycle(buffer: ArrayBufferLike): void {
    this.outstanding.delete(buffer)
    if (this.kept.length < this.keep) this.kept.push(new Uint8Array(buffer as ArrayBuffer))
  }
}
