// Optional bearer token for ingest (and /metrics unless relay.protect-metrics is false):
// `Authorization: Bearer <token>`; a missing, malformed or wrong token gets 401. The comparison is
// constant-time over SHA-256 digests, so neither the token's bytes nor its length leak through timing.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'

const digest = (text: string) => createHash('sha256').update(text).digest()

export function tokenMatches(expected: string): (presented: string) => boolean {
  const want = digest(expected)
  return (presented) => timingSafeEqual(digest(presented), want)
}

export function requireBearerToken(token: string, onRefused: () => void): MiddlewareHandler {
  const matches = tokenMatches(token)
  return async function bearerToken(c, next) {
    const header = c.req.header('authorization') ?? ''
    const m = /^Bearer +(\S+)$/i.exec(header)
    if (m === null || !matches(m[1]!)) {
      onRefused()
      return c.json(
        { error: m === null ? 'missing bearer token: send Authorization: Bearer <relay.auth-token>' : 'wrong bearer token' },
        401,
        {
          'WWW-Authenticate': 'Bearer realm="deepflow-relay"',
        },
      )
    }
    await next()
  }
}
