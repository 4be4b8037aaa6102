// What a request will take in an exporter's queues, guessed before its body is read, so that a
// request that cannot fit is refused (429) without being read, parsed and encoded first (a client
// that keeps the queues full would otherwise make the relay parse every body it then refuses).
// The guess is the bytes queued per byte of body, learnt per exporter, data source and body kind
// (compressed or not) from the requests staged in full: a moving average over the last ones.
// Nothing is guessed before one was learnt.
// Guessing low costs only the work the guess would have saved (the request is staged and refused
// as before). Guessing high refuses a request that would have fitted, so the guess is kept a little
// low (SLACK), and a body bigger than the queues can ever hold is always read (its 413 says why).

export interface QueueForecast {
  /** Bytes the queues of `key` will likely take for a body of `bodyBytes`; 0 when nothing was learnt. */
  expect(key: string, bodyBytes: number): number
  /** A body of `bodyBytes` was staged in full and took `queuedBytes`. */
  learn(key: string, bodyBytes: number, queuedBytes: number): void
}

/** Weight of the newest request in the average. */
const WEIGHT = 0.25
/** The guess is this much of the average. */
export const SLACK = 0.9

/** The key of an exporter, a data source and a body kind. */
export function forecastKey(exporter: string, ds: string, compressed: boolean): string {
  return `${exporter}\u0000${ds}\u0000${compressed ? 'compressed' : 'plain'}`
}

export function createQueueForecast(): QueueForecast {
  /** Bytes queued per byte of body, by key (bounded: exporters × data sources × 2). */
  const ratios = new Map<string, number>()
  return {
    expect(key, bodyBytes) {
      const ratio = ratios.get(key)
      return ratio === undefined ? 0 : Math.floor(ratio * bodyBytes * SLACK)
    },
    learn(key, bodyBytes, queuedBytes) {
      if (bodyBytes <= 0) return
      const ratio = queuedBytes / bodyBytes
      const prior = ratios.get(key)
      ratios.set(key, prior === undefined ? ratio : prior + WEIGHT * (ratio - prior))
    },
  }
}
