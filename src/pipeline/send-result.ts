// What one send attempt of a batch came to. Senders return these; they never throw for I/O.

/** Why records that were accepted got lost (the `reason` label of records_dropped_total). */
export const DROP_REASONS = ['evicted', 'rejected_by_endpoint', 'too_large', 'retries_exhausted', 'shutdown'] as const
export type DropReason = (typeof DROP_REASONS)[number]

/** What a queue holds and a sink sends: an item's encoded bytes and its batch-size units. */
export interface Sized {
  readonly bytes: number
  /** What batch-size counts: 1 per record, or its series for remote write. */
  readonly units: number
}

export type SendResult =
  /**
   * Delivered; `tooLarge` records of the batch were refused by the receiver as too large and dropped
   * alone; `rejected` records it refused for good (OTLP partial_success: rejected_spans), `why` it said so.
   */
  | { readonly status: 'ok'; readonly tooLarge?: number; readonly rejected?: number; readonly why?: string }
  | { readonly status: 'retryable'; readonly error: string; readonly retryAfterMs?: number }
  | { readonly status: 'failed'; readonly error: string; readonly reason: DropReason }

export const OK: SendResult = { status: 'ok' }

export function retryable(error: string, retryAfterMs?: number): SendResult {
  return retryAfterMs === undefined ? { status: 'retryable', error } : { status: 'retryable', error, retryAfterMs }
}

export function failed(error: string, reason: DropReason = 'rejected_by_endpoint'): SendResult {
  return { status: 'failed', error, reason }
}

/** A sink delivers batches to one kind of destination (stdout, Kafka, remote write). */
export interface Sink<T> {
  send(batch: readonly T[], signal: AbortSignal): Promise<SendResult>
  close(): Promise<void>
  /**
   * The batch left its worker for good (delivered, dropped or given up; no retry will read it):
   * the sink may reuse what its items hold. Called once per batch, after the last send returned.
   */
  release?(batch: readonly T[]): void
}
