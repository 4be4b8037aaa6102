// One remote-write response or transport error → a send result (remote-write spec 1.0 and
// Prometheus' own sender): 2xx success; 5xx, 429, timeouts and connection errors retryable
// (honouring Retry-After); any other status is final — never retried, dropped and counted.
import { failed, OK, retryable, type SendResult } from '../../pipeline/send-result.ts'

/** Retry-After as delta-seconds or an HTTP-date, in ms from `now`; undefined when absent or bad. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined
  const text = header.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'error'

export function statusClass(status: number): StatusClass {
  return status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx'
}

export function classifyStatus(status: number, retryAfter: string | null, body: string, now: number): SendResult {
  if (status >= 200 && status < 300) return OK
  const detail = `HTTP ${status}${body === '' ? '' : `: ${body}`}`
  if (status === 429 || status >= 500) return retryable(detail, parseRetryAfter(retryAfter, now))
  return failed(detail, 'rejected_by_endpoint')
}
