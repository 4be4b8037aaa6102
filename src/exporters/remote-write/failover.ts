// The endpoints of one prometheus exporter and their health. The list is shuffled once, when the
// exporter is built (injected randomness), so relays with the same config spread over the
// endpoints. Each queue has a cursor: its current endpoint, kept after a success or a final
// failure, moved to the next one (in the shuffled order, wrapping) after a retryable failure, so
// the worker's retry of the batch goes elsewhere. Every attempt sets its endpoint's lastOk and
// lastError; the exporter is healthy unless every endpoint failed its last attempt.
import { shuffled } from '../../util/shuffle.ts'

export interface EndpointState {
  readonly url: string
  /** The URL as shown in logs and metrics: user info masked. */
  readonly label: string
  /** Result of the last attempt: undefined before the first. */
  lastOk: boolean | undefined
  lastError: string | undefined
}

/** How an attempt on an endpoint ended. */
export type AttemptOutcome =
  | { readonly ok: true }
  /** `retryable`: the batch will be sent again, to the next endpoint. */
  | { readonly ok: false; readonly error: string; readonly retryable: boolean }

export interface EndpointCursor {
  /** The endpoint the queue's next attempt goes to. */
  current(): EndpointState
  /** Records the outcome of the attempt on the current endpoint; true when the queue moved to another endpoint (a failover). */
  report(outcome: AttemptOutcome): boolean
}

export interface EndpointPool {
  /** In the shuffled order. */
  readonly endpoints: readonly EndpointState[]
  /** A new queue's cursor, starting at the first endpoint. */
  cursor(): EndpointCursor
  /** false when every endpoint failed its last attempt. */
  healthy(): boolean
}

export function maskUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.username !== '' || u.password !== '') {
      u.username = '***'
      u.password = ''
    }
    return u.href
  } catch {
    return url
  }
}

export function createEndpointPool(urls: readonly string[], random: () => number): EndpointPool {
  const endpoints: EndpointState[] = shuffled(urls, random).map((url) => ({
    url,
    label: maskUrl(url),
    lastOk: undefined,
    lastError: undefined,
  }))
  return {
    endpoints,
    cursor() {
      let index = 0
      return {
        current: () => endpoints[index]!,
        report(outcome) {
          const endpoint = endpoints[index]!
          endpoint.lastOk = outcome.ok
          endpoint.lastError = outcome.ok ? undefined : outcome.error
          if (outcome.ok || !outcome.retryable || endpoints.length < 2) return false
          index = (index + 1) % endpoints.length
          return true
        },
      }
    },
    healthy: () => endpoints.some((e) => e.lastOk !== false),
  }
}
