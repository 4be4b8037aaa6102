// At most N ingest requests are read and parsed at once, as vmagent's -maxConcurrentInserts: a
// request beyond them waits for a slot (first come, first served) at most `maxWaitMs`, then is
// refused (503 + Retry-After). Bounds the bodies, strings and records alive at the same time.
import type { Clock } from '../util/clock.ts'
import { NOT_NEEDED } from '../util/clock.ts'

export interface ConcurrencyGate {
  /** A slot (call the release when done), or null when none freed within maxWaitMs. */
  enter(): Promise<(() => void) | null>
  /** Requests holding a slot now. */
  active(): number
  readonly max: number
}

export function createConcurrencyGate(max: number, maxWaitMs: number, clock: Clock): ConcurrencyGate {
  let active = 0
  const waiting: (() => void)[] = []

  const release = () => {
    const next = waiting.shift()
    if (next !== undefined) next() // the slot passes to the next waiter
    else active--
  }
  const slot = () => {
    let done = false
    return () => {
      if (done) return
      done = true
      release()
    }
  }

  return {
    max,
    active: () => active,
    async enter() {
      if (active < max) {
        active++
        return slot()
      }
      const timer = new AbortController()
      let granted = false
      const turn = () => {
        granted = true
        timer.abort(NOT_NEEDED)
      }
      waiting.push(turn)
      await clock.sleep(maxWaitMs, timer.signal)
      if (granted) return slot()
      waiting.splice(waiting.indexOf(turn), 1)
      return null
    },
  }
}
