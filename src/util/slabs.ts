// Cuts small byte strings (a queued record's encoded bytes) out of shared slabs instead of one
// buffer each: a view of a 64 KiB slab costs one small object, where a buffer of its own costs an
// allocation, a buffer object and a view. A slab is freed when the last view cut from it is; the
// queues it feeds are first in, first out, so a slab lives about as long as its bytes do.
//
// Lanes: bytes bound for different queues are best cut from different slabs (a lane each, with its
// own current slab). A slab shared by several queues lives until the slowest of them sent its part,
// holding the parts the others sent long ago.
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

interface SlabState {
  /** Bytes cut from it and not given back. */
  left: number
  /** Still some lane's current slab (more may be cut from it). */
  open: boolean
}

/** Where one lane cuts: its current slab. */
export interface SlabLane {
  /** A copy of `bytes`, in this lane's current slab (a new or recycled one when it lacks room). */
  cut(bytes: Uint8Array): Uint8Array
}

export class Slabs {
  /** Per recycling slab (weak: a slab nobody gives back is collected). */
  private readonly states = new WeakMap<ArrayBufferLike, SlabState>()
  private readonly kept: Uint8Array<ArrayBuffer>[] = []
  private readonly main: SlabLane

  /** `keep`: slabs kept for reuse once all their views were given back (0: no recycling). */
  constructor(private readonly slabBytes = SLAB_BYTES, private readonly keep = 0) {
    this.main = this.lane()
  }

  /** A copy of `bytes`, cut in the main lane. */
  cut(bytes: Uint8Array): Uint8Array {
    return this.main.cut(bytes)
  }

  /** A lane of its own (see the header). */
  lane(): SlabLane {
    let slab = new Uint8Array(0)
    let used = 0
    let state: SlabState | undefined
    return {
      cut: (bytes) => {
        const n = bytes.length
        if (used + n > slab.length) {
          if (n > this.slabBytes) return bytes.slice()
          if (state !== undefined) this.close(slab.buffer, state)
          slab = this.kept.pop() ?? new Uint8Array(this.slabBytes)
          used = 0
          if (this.keep > 0) {
            state = { left: 0, open: true }
            this.states.set(slab.buffer, state)
          }
        }
        const out = slab.subarray(used, used + n)
        out.set(bytes)
        used += n
        if (state !== undefined) state.left += n
        return out
      },
    }
  }

  /** Gives back a view cut here (see the header): once per view, when nothing reads it any more. */
  release(view: Uint8Array): void {
    const state = this.states.get(view.buffer)
    if (state === undefined) return
    state.left -= view.length
    if (state.left === 0 && !state.open) this.recycle(view.buffer)
  }

  /** Slabs kept for reuse now. */
  get keptSlabs(): number {
    return this.kept.length
  }

  /** A lane left this slab: recycled at once when every view cut from it was given back. */
  private close(buffer: ArrayBufferLike, state: SlabState): void {
    state.open = false
    if (state.left === 0) this.recycle(buffer)
  }

  private recycle(buffer: ArrayBufferLike): void {
    this.states.delete(buffer)
    if (this.kept.length < this.keep) this.kept.push(new Uint8Array(buffer as ArrayBuffer))
  }
}
