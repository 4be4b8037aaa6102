// The memory limiter, as the OpenTelemetry Collector's memory_limiter processor does it: new ingest
// is admitted only while the memory the relay uses stays under a soft limit (a fraction of the
// budget); above it the work is refused (503 + Retry-After, before the body is read; the ClickHouse
// source waits instead) and a collection is requested (at most once a second); above the hard limit
// a collection is requested at once (at most every 100 ms: a full collection is not free) and
// everything new is refused until memory falls.
//
// "The memory the relay uses" = its resident set (read through the runtime when asked) plus the
// declared sizes of the bodies admitted and not yet done with, which may not show in the resident
// set yet. With no budget (no cgroup limit, no relay.memory-limit) everything is admitted.

export interface MemoryLimits {
  /** The budget in bytes; null: unlimited (the limiter admits everything). */
  readonly budget: number | null
  /** Fractions of the budget. */
  readonly soft: number
  readonly hard: number
}

export interface MemoryProbe {
  /** The process's resident set in bytes. */
  residentBytes(): number
  /** Asks the runtime for a full collection (a no-op where it cannot). */
  collectGarbage(): void
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
  /** Whether new work would be refused now (the ClickHouse source waits while it is). */
  over(): boolean
  /** What the limiter counts as used: the resident set plus the bytes of admitted work. */
  usedBytes(): number
  readonly limits: MemoryLimits
}

const GC_EVERY_MS = 1000
const GC_EVERY_MS_ABOVE_HARD = 100

export function createMemoryLimiter(limits: MemoryLimits, probe: MemoryProbe): MemoryLimiter {
  let reserved = 0
  let lastGc = Number.NEGATIVE_INFINITY
  const soft = limits.budget === null ? Infinity : Math.floor(limits.budget * limits.soft)
  const hard = limits.budget === null ? Infinity : Math.floor(limits.budget * limits.hard)
  const used = () => probe.residentBytes() + reserved

  /** The verdict for `bytes` more, after a collection when memory is high (once a second; at once above hard). */
  const check = (bytes: number): { over: 'soft' | 'hard'; usedBytes: number } | null => {
    if (limits.budget === null) return null
    let u = used()
    if (u + bytes <= soft) return null
    const now = probe.now()
    if (now - lastGc >= (u > hard ? GC_EVERY_MS_ABOVE_HARD : GC_EVERY_MS)) {
      lastGc = now
      probe.collectGarbage()
      u = used()
    }
    if (u + bytes <= soft) return null
    return { over: u + bytes > hard ? 'hard' : 'soft', usedBytes: u }
  }

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
        },
      }
    },
    over: () => check(0) !== null,
    usedBytes: used,
  }
}
