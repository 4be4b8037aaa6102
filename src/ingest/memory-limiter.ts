// The memory limiter, as the OpenTelemetry Collector's memory_limiter processor does it: new ingest
// is admitted only while the memory the relay uses stays under a soft limit (a fraction of the
// budget); above it the work is refused (503 + Retry-After, before the body is read; the ClickHouse
// source, which reserves each page before reading it, halves the page, then waits) and a collection is requested (at most every 200 ms); above the hard limit
// a collection is requested at once (at most every 100 ms: a full collection is not free) and
// everything new is refused until memory falls.
//
// "The memory the relay uses" = its anonymous resident memory (read through the runtime when asked)
// plus what the bodies and pages admitted and not yet done with will cost (ingest-gate.ts), which may not show
// in it yet. (The runtime's heap statistics are not used: under load the memory outside them grew
// past the budget, and the kernel killed the relay in the scenarios of test/e2e/memory-scenarios.)
// With no budget (no cgroup limit, no relay.memory-limit) everything is admitted.
//
// Pacing, with or without a budget: JavaScriptCore collects when its heap has grown by a multiple
// of what survived the last collection, and it counts the queues' bytes (buffers outside its cells)
// in what survived: with 64 MiB queued it lets another 64 MiB of garbage pile up before it collects,
// and the resident set climbs to several times what is alive (the benchmark saw 1 GB for 64 MiB of
// queue). So when admitted work is done, and when a batch left a queue (sending turns the queue into
// garbage as fast as ingest fills it), the limiter looks at two lines and asks for a collection
// (at most every 100 ms) when either is passed:
// - the heap line, where the runtime reports its heap (Bun: objects plus the buffers and strings it
//   accounts; looked at every 10 ms at most, as reading it walks the heap): 16 MiB over what the last
//   collection left, 2 MiB once that was over a third of the budget (or of the need, below): the
//   queues are then filling, and garbage must not add much to them. Garbage stays within a fixed
//   few MiB, however much the queues hold. This collection keeps the freed pages for reuse (giving
//   them back at once costs more: they are faulted in again, a third of the rate with a full
//   remote-write queue).
// - the resident line, against the budget or, without one, what the config needs (Σ queue-max-bytes
//   + the runtime's reserve): half again what the last collection left, kept between 60 % and 75 % of
//   the budget (without a budget, 60–90 % of the need, weighing the whole resident set, the mapped
//   executable too, as a container limit set to the need would); looked at every 10 ms at most (a
//   file read). With a budget this collection gives the freed pages back (the resident set must fall
//   before the limiter admits more). Without one it keeps them below the top of its range; above the
//   top (the relay then holds itself within the need) it gives them back, at most every 500 ms: full
//   queues keep the set near the top, and pages given back are faulted in again as the load goes on.
//   A collection the heap line asks for while the set is over its line is that collection: the heap
//   line, due every 100 ms under load, must not keep it from coming.
// And while a body is parsed, every YOUNG_EVERY_BYTES of it (consumed()): a young collection where
// the runtime has one (Bun: its heap figure does not show the objects and strings allocated since
// the last collection, and JavaScriptCore lets tens of MiB of them pile up beside a large heap), and
// a look at both lines, so that a 16 MiB body cannot outgrow them before it is done.
// Memory then stays near what is alive, refusals stay rare, and no budget is needed for it.

export interface MemoryLimits {
  /** The budget in bytes; null: unlimited (the limiter admits everything). */
  readonly budget: number | null
  /** What collections are paced against when there is no budget (Σ queue-max-bytes + reserve); null: no pacing. */
  readonly unbudgetedTarget: number | null
  /** Fractions of the budget. */
  readonly soft: number
  readonly hard: number
}

export interface MemoryProbe {
  /** The process's anonymous resident memory in bytes. */
  residentBytes(): number
  /** Its whole resident set (file pages too: the mapped executable), where the runtime reports it. */
  readonly residentSetBytes?: () => number
  /** The engine's heap in bytes, cheap to read (Runtime.heapBytes); absent where the runtime offers none. */
  readonly heapBytes?: () => number
  /** A young-generation collection (Runtime.collectYoung); absent where the engine needs none. */
  readonly collectYoung?: () => void
  /** Asks the runtime for a full collection (a no-op where it cannot); see Runtime.collectGarbage. */
  collectGarbage(returnMemory: boolean): void
  now(): number
}

export type MemoryVerdict = { readonly ok: true; release(): void } | {
  readonly ok: false
  readonly over: 'soft' | 'hard'
  readonly usedBytes: number
  readonly limitBytes: number
}

export interface MemoryLimiter {
  /** Admits work of `bytes` (a body's declared size): release it when done. */
  admit(bytes: number): MemoryVerdict
  /** What the limiter counts as used: the resident set plus the bytes of admitted work. */
  usedBytes(): number
  /**
   * Looks at the pacing lines (see the header) and collects when one is passed. Runs when admitted
   * work is done, and when a batch left a queue: a send turns queued bytes into garbage while no
   * ingest may come (a full queue draining after the load stopped).
   */
  pace(): void
  /** `bytes` more of a body were parsed (see the header): now and then a young collection and a pace(). */
  consumed(bytes: number): void
  readonly limits: MemoryLimits
}

const GC_EVERY_MS = 200
const GC_EVERY_MS_ABOVE_HARD = 100
const PACE_EVERY_MS = 100
const PACE_LOOK_EVERY_MS = 10
/** The pace line: PACE_GROWTH × what the last collection left, within [PACE_MIN, PACE_MAX] × the target. */
const PACE_GROWTH = 1.5
const PACE_MIN = 0.6
const PACE_MAX = 0.75
const PACE_MAX_UNBUDGETED = 0.9
/** Without a budget, above the top of the range: collections that give pages back, at most this often. */
const TOP_RETURN_EVERY_MS = 500
/** The heap line: this much over what the last collection left; HEAP_HEADROOM_NEAR once that was over HEAP_NEAR × the target. */
const HEAP_HEADROOM = 16 * 2 ** 20
const HEAP_HEADROOM_NEAR = 2 * 2 ** 20
const HEAP_NEAR = 1 / 3
/** Bytes of body parsed between young collections (and looks at the lines). */
export const YOUNG_EVERY_BYTES = 256 * 1024

export function createMemoryLimiter(limits: MemoryLimits, probe: MemoryProbe): MemoryLimiter {
  let reserved = 0
  let lastGc = Number.NEGATIVE_INFINITY
  const soft = limits.budget === null ? Infinity : Math.floor(limits.budget * limits.soft)
  const hard = limits.budget === null ? Infinity : Math.floor(limits.budget * limits.hard)
  const used = () => probe.residentBytes() + reserved
  const fits = (bytes: number) => used() + bytes <= soft
  const heapBytes = probe.heapBytes
  /**
   * What the resident line weighs: with a budget the anonymous resident set (what a cgroup cannot
   * take back); without one the whole set, held within the need as a limit set to it would hold it.
   */
  const paced = limits.budget === null && probe.residentSetBytes !== undefined ? probe.residentSetBytes : probe.residentBytes
  /** What the paced resident set and the heap were after the last collection. */
  let left = 0
  let heapLeft = heapBytes?.() ?? 0
  let headroom = HEAP_HEADROOM
  /** `returnMemory`: the resident set must fall now (a budget is at stake), not only the heap. */
  const collect = (now: number, returnMemory: boolean) => {
    lastGc = now
    probe.collectGarbage(returnMemory)
    left = paced()
    if (heapBytes !== undefined) {
      heapLeft = heapBytes()
      headroom = target !== null && heapLeft > HEAP_NEAR * target ? HEAP_HEADROOM_NEAR : HEAP_HEADROOM
    }
  }
  const target = limits.budget ?? limits.unbudgetedTarget
  /** With a budget the line stays well under the soft limit; without one, a large live set may take the whole target. */
  const cap = limits.budget === null ? PACE_MAX_UNBUDGETED : PACE_MAX
  let lastLook = Number.NEGATIVE_INFINITY
  let lastReturn = Number.NEGATIVE_INFINITY
  /** Asks for a collection when the resident set passed the pace line (see the header). */
  const pace = () => {
    const now = probe.now()
    // Reading the heap walks its blocks (~10 µs) and the resident set is a file read: both at most
    // every PACE_LOOK_EVERY_MS (small requests come by thousands a second).
    if (now - lastGc < PACE_EVERY_MS || now - lastLook < PACE_LOOK_EVERY_MS) return
    lastLook = now
    const heapDue = heapBytes !== undefined && heapBytes() > heapLeft + headroom
    if (target === null) {
      if (heapDue) collect(now, false)
      return
    }
    const top = cap * target
    const line = Math.min(top, Math.max(PACE_MIN * target, PACE_GROWTH * left))
    const set = paced()
    if (limits.budget !== null) {
      if (set > line) collect(now, true)
      else if (heapDue) collect(now, false)
      return
    }
    // Without a budget, above the top of its range the resident set must fall: a collection that
    // gives the freed pages back, at most every TOP_RETURN_EVERY_MS (pages given back are faulted in
    // again when the load goes on: a full queue keeps the set near the top).
    if (set > top && now - lastReturn >= TOP_RETURN_EVERY_MS) {
      lastReturn = now
      collect(now, true)
    } else if (heapDue || (line < top && set > line)) collect(now, false)
  }

  /** The verdict for `bytes` more, after a collection when memory is high (at most every 200 ms; 100 ms above hard). */
  const check = (bytes: number): { over: 'soft' | 'hard'; usedBytes: number } | null => {
    if (limits.budget === null || fits(bytes)) return null
    const now = probe.now()
    if (now - lastGc >= (used() > hard ? GC_EVERY_MS_ABOVE_HARD : GC_EVERY_MS)) {
      collect(now, true)
      if (fits(bytes)) return null
    }
    const u = used()
    return { over: u + bytes > hard ? 'hard' : 'soft', usedBytes: u }
  }

  let parsed = 0
  return {
    limits,
    admit(bytes) {
      const refused = check(bytes)
      if (refused !== null) return { ok: false, ...refused, limitBytes: refused.over === 'hard' ? hard : soft }
      reserved += bytes
      let released = false
      return {
        ok: true,
        release() {
          if (released) return
          released = true
          reserved -= bytes
          pace()
        },
      }
    },
    usedBytes: used,
    pace,
    consumed(bytes) {
      parsed += bytes
      if (parsed < YOUNG_EVERY_BYTES) return
      parsed = 0
      probe.collectYoung?.()
      pace()
    },
  }
}
