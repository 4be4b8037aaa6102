// fetch with TLS options for Bun: its RequestInit takes a `tls` object (ca, rejectUnauthorized).
import type { HttpFetch } from './http-port.ts'

export const bunHttpFetch: HttpFetch = (url, init, tls) =>
  fetch(
    url,
    tls === null
      ? init
      : ({ ...init, tls: { ...(tls.ca === null ? {} : { ca: tls.ca }), rejectUnauthorized: !tls.insecureSkipVerify } } as RequestInit),
  )
