// A kafkajs error → what to do with the batch. kafkajs's own retries are off (the relay's retry
// loop owns the budget), so every error lands here once:
// - a record too large for the broker (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE): split the batch;
// - authentication failures: retried (a fixed password must restart the flow), reported as such;
// - connection errors, timeouts and errors Kafka marks retriable: retried;
// - other protocol errors (invalid topic, authorization, ...): final, dropped as rejected_by_endpoint.

export type KafkaErrorKind = 'too_large' | 'authentication' | 'connection' | 'timeout' | 'retriable' | 'rejected'

export interface ErrorLike {
  readonly name?: string
  readonly type?: string
  readonly message?: string
  readonly retriable?: boolean
  readonly cause?: unknown
  readonly originalError?: unknown
}

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE'])

function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = []
  let e: unknown = err
  while (typeof e === 'object' && e !== null && out.length < 8) {
    const x = e as ErrorLike
    out.push(x)
    e = x.originalError ?? x.cause
  }
  return out
}

export function classifyKafkaError(err: unknown): KafkaErrorKind {
  const errors = chain(err)
  if (errors.some((e) => e.type !== undefined && TOO_LARGE.has(e.type))) return 'too_large'
  if (
    errors.some((e) =>
      e.name === 'KafkaJSSASLAuthenticationError' || e.type === 'SASL_AUTHENTICATION_FAILED' || e.type === 'ILLEGAL_SASL_STATE'
    )
  ) return 'authentication'
  if (errors.some((e) => e.name === 'KafkaJSRequestTimeoutError' || e.name === 'KafkaJSTimeout')) return 'timeout'
  if (
    errors.some((e) =>
      e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSConnectionClosedError' || e.name === 'KafkaJSBrokerNotFound' ||
      e.name === 'KafkaJSNumberOfRetriesExceeded' && e.retriable !== false
    )
  ) return 'connection'
  const protocol = errors.find((e) => e.name === 'KafkaJSProtocolError')
  if (protocol !== undefined) return protocol.retriable === true ? 'retriable' : 'rejected'
  return errors.some((e) => e.retriable === false && e.name !== 'KafkaJSNonRetriableError') ? 'rejected' : 'retriable'
}

export function describeKafkaError(err: unknown): string {
  return chain(err).map((e) => `${e.name ?? 'Error'}${e.type === undefined ? '' : ` ${e.type}`}: ${e.message ?? ''}`).join(' <- ')
}
