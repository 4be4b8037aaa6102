// A Clock whose time moves only when the test says so; sleeps resolve when advanced past.
import { type Clock, systemClock } from '../../src/util/clock.ts'

interface Timer {
  at: number
  resolve: () => void
}

export interface ManualClock extends Clock {
  /** Moves time forward, resolving every sleep that ends by then, in order. */
  advance(ms: number): Promise<void>
  /** Sleeps currently pending. */
  pending(): number
}

/** Lets queued promise callbacks run (no time passes on the manual clock). */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r))
}

export function createManualClock(start = 1_700_000_000_000, random = () => 0.5): ManualClock {
  let now = start
  let timers: Timer[] = []
  return {
    now: () => now,
    random,
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve()
        const timer: Timer = { at: now + Math.max(0, ms), resolve }
        timers.push(timer)
        signal?.addEventListener('abort', () => {
          timers = timers.filter((t) => t !== timer)
          resolve()
        }, { once: true })
      })
    },
    async advance(ms) {
      const target = now + ms
      await settle()
      for (;;) {
        const due = timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0]
        if (due === undefined) break
        now = Math.max(now, due.at)
        timers = timers.filter((t) => t !== due)
        due.resolve()
        await settle()
      }
      now = target
      await settle()
    },
    pending: () => timers.length,
  }
}

/** Waits in real time (bounded) until `cond` holds: for real network I/O in tests with a manual clock. */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** The system clock behind the ManualClock interface: advance() really waits. For tests against
 * real servers whose own timers (kafkajs, brokers) run in real time. */
export function createRealClock(random: () => number = Math.random): ManualClock {
  return {
    ...systemClock,
    random,
    advance: (ms) => new Promise((r) => setTimeout(r, ms)),
    pending: () => 0,
  }
}
