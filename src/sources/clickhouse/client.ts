// ClickHouse's HTTP interface: a query in the body, the user in X-ClickHouse-User/Key headers, the
// answer as text. Never throws: errors come back as values (retried by the source).
import type { HttpFetch } from '../../runtime/http-port.ts'
import { type Clock, NOT_NEEDED } from '../../util/clock.ts'

export type QueryResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string }

export interface ClickHouseClient {
  query(sql: string, signal: AbortSignal): Promise<QueryResult>
}

export function createClickHouseClient(opts: { url: string; user: string; password: string; fetch: HttpFetch; clock: Clock; timeoutMs: number }): ClickHouseClient {
  return {
    async query(sql, signal) {
      const ac = new AbortController()
      const onAbort = () => ac.abort()
      signal.addEventListener('abort', onAbort, { once: true })
      const timer = new AbortController()
      let timedOut = false
      void opts.clock.sleep(opts.timeoutMs, timer.signal).then(() => {
        if (!timer.signal.aborted) {
          timedOut = true
          ac.abort()
        }
      })
      try {
        const res = await opts.fetch(opts.url, {
          method: 'POST',
          body: sql,
          headers: { 'X-ClickHouse-User': opts.user, 'X-ClickHouse-Key': opts.password, 'Content-Type': 'text/plain; charset=utf-8' },
          signal: ac.signal,
        }, null)
        const text = await res.text()
        return res.ok ? { ok: true, text } : { ok: false, error: `HTTP ${res.status}: ${text.slice(0, 500).trim()}` }
      } catch (err) {
        return { ok: false, error: timedOut ? `timeout after ${opts.timeoutMs / 1000} s` : `connection error: ${err instanceof Error ? err.message : String(err)}` }
      } finally {
        timer.abort(NOT_NEEDED)
        signal.removeEventListener('abort', onAbort)
      }
    },
  }
}
