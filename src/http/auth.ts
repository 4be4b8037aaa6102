// Optional bearer token for ingest (and /metrics unless relay.protect-metrics is false):
// `Authorization: Bearer <token>`; a missing, malformed or wrong token gets 401. The comparison is
// constant-time over SHA-256 digests, so neither the token's bytes nor its length leak through timing.
// Web Crypto (a global of every runtime), not node:crypto: that one loads Node's stream classes at
// start (about 5 MB resident) for a relay that may not even have a token.
import type { MiddlewareHandler } from 'hono'

const utf8 = new TextEncoder()

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(text)))
}

/** Same bytes, in a time that does not depend on where they differ (both are 32-byte digests). */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length
  for (let i = 0; i < a.length && i < b.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

export function tokenMatches(expected: string): (presented: string) => Promise<boolean> {
  const want = digest(expected)
  return async (presented) => sameDigest(await digest(presented), await want)
}

export function requireBearerToken(token: string, onRefused: () => void): MiddlewareHandler {
  const matches = tokenMatches(token)
  return async function bearerToken(c, next) {
    const header = c.req.header('authorization') ?? ''
    const m = /^Bearer +(\S+)$/i.exec(header)
    if (m === null || !(await matches(m[1]!))) {
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
