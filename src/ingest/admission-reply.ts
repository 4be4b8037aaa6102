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

export interface Reply<S extends number = 202 | 413 | 429 | 503> {
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

/**
 * The reply to an admission; once an accepted request's durable buffers synced (sync-interval 0),
 * or 503 when that sync failed (the records are in the buffer, and may be sent twice after the retry).
 */
export async function admissionReply(admission: Admission, accepted: number, summary: Summary, ctx: ReplyContext): Promise<Reply> {
  if (admission.status !== 'accepted') return refusalReply(admission, summary, ctx)
  const synced = admission.durable === undefined ? undefined : await admission.durable
  if (synced !== undefined && !synced.ok) return syncFailedReply(synced.error, summary)
  return { status: 202, body: { accepted, ...summary } }
}

/** 503: an exporter's durable buffer could not make the request's records durable. */
export function syncFailedReply(error: string, summary: Summary): Reply<503> {
  return {
    status: 503,
    body: { accepted: 0, ...summary, error: `the durable buffer could not be synced (${error}); retry later` },
    headers: { 'Retry-After': RETRY_AFTER_SECONDS },
  }
}

export function refusalReply(refusal: Refusal, summary: Summary, ctx: ReplyContext): Reply<413 | 429 | 503> {
  const { exporter } = refusal
  if (refusal.status === 'unavailable') {
    ctx.log.warnOncePerBurst(`unavailable:${exporter}`, 'durable buffer cannot be written: answering 503', {
      exporter,
      error: refusal.error,
      ...ctx.logFields,
    })
    return {
      status: 503,
      body: { accepted: 0, ...summary, error: `the durable buffer of exporter "${exporter}" cannot be written now; retry later` },
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
    }
  }
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
