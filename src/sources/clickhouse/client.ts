// ClickHouse's HTTP interface: a query in the body, the user in X-ClickHouse-User/Key headers, the
// answer as text. Each query has its deadline (pipeline/deadline.ts). Never throws: errors come
// back as values (retried by the source).
import type { HttpFetch } from '../../runtime/http-port.ts'
import type { Clock } from '../../util/clock.ts'
import { startDeadline } from '../../pipeline/deadline.ts'

export type QueryResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string }

export interface ClickHouseClient {
  query(sql: string, signal: AbortSignal): Promise<QueryResult>
}

export function createClickHouseClient(
  opts: { url: string; user: string; password: string; fetch: HttpFetch; clock: Clock; timeoutMs: number },
): ClickHouseClient {
  return {
    async query(sql, signal) {
      const deadline = startDeadline(opts.clock, opts.timeoutMs, signal)
      try {
        const res = await opts.fetch(opts.url, {
          method: 'POST',
          body: sql,
          headers: { 'X-ClickHouse-User': opts.user, 'X-ClickHouse-Key': opts.password, 'Content-Type': 'text/plain; charset=utf-8' },
          signal: deadline.signal,
        }, null)
        const text = await res.text()
        return res.ok ? { ok: true, text } : { ok: false, error: `HTTP ${res.status}: ${text.slice(0, 500).trim()}` }
      } catch (err) {
        return { ok: false, error: deadline.failure(err) }
      } finally {
        deadline.clear()
      }
    },
  }
}
