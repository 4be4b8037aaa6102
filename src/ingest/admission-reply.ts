// The one HTTP reply to an admission: 202 with the request's summary when accepted; 429 with
// Retry-After: 1 when an exporter's queues are full now (logged once per burst per exporter); 413
// when the request alone exceeds an exporter's queue bounds. A refusal's body carries the summary
// too, with accepted 0 and the error. (Remote write answers its own 204 when accepted.)
import type { LogFields, Logger } from '../observe/log.ts'
import type { Admission } from '../pipeline/admission.ts'

export const RETRY_AFTER_SECONDS = '1'

/** What an entrance reports of the invalid part of a request. */
export interface Summary {
  readonly rejected: number
  readonly errors: readonly unknown[]
}

export interface Reply<S extends number = 202 | 413 | 429> {
  readonly status: S
  readonly body: Record<string, unknown>
  readonly headers?: Record<string, string>
}

export type Refusal = Exclude<Admission, { readonly status: 'accepted' }>

export interface ReplyContext {
  readonly log: Logger
  /** What the client should send fewer of per request. */
  readonly unit: 'records' | 'series'
  /** Fields of the queue-full log line beside `exporter`. */
  readonly logFields: LogFields
}

export function admissionReply(admission: Admission, accepted: number, summary: Summary, ctx: ReplyContext): Reply {
  return admission.status === 'accepted' ? { status: 202, body: { accepted, ...summary } } : refusalReply(admission, summary, ctx)
}

export function refusalReply(refusal: Refusal, summary: Summary, ctx: ReplyContext): Reply<413 | 429> {
  const { exporter } = refusal
  if (refusal.status === 'full') {
    ctx.log.warnOncePerBurst(`full:${exporter}`, 'queue full: answering 429', { exporter, ...ctx.logFields })
    return {
      status: 429,
      body: { accepted: 0, ...summary, error: `queues of exporter "${exporter}" are full; retry later` },
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
    }
  }
  return {
    status: 413,
    body: {
      accepted: 0,
      ...summary,
      error:
        `this request alone exceeds the queue bounds of exporter "${exporter}" (queue-size, queue-max-bytes); send fewer ${ctx.unit} per request`,
    },
  }
}
