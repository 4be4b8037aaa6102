// How one OTLP request to one endpoint ended, whatever its transport: what the sender counts
// (the `status` label), what it returns to the worker, and what it logs.
import type { SendResult } from '../../pipeline/send-result.ts'

export type ExportOutcome =
  /**
   * The endpoint answered: `status` is the label of its answer (a gRPC code name such as OK or
   * UNAVAILABLE, or an HTTP class 2xx/3xx/4xx/5xx), `code` the gRPC code or HTTP status.
   */
  | { readonly answered: true; readonly status: string; readonly code: number; readonly result: SendResult }
  /** No answer: the deadline ran out ('timeout') or the request failed before one ('error'); always retryable. */
  | { readonly answered: false; readonly status: 'timeout' | 'error'; readonly error: string }
