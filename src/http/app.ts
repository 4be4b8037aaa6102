// The HTTP surface: ingest, health, readiness and metrics, as a Hono app (served by the runtime
// adapter; tests call app.request() directly).
import { Hono } from 'hono'
import type { IngestDeps } from './ingest.ts'
import { createIngestHandler } from './ingest.ts'
import { createRemoteWriteHandler } from './remote-write-ingest.ts'

export interface AppDeps extends IngestDeps {
  /** null when ready, else why not. */
  readonly notReadyReason: () => string | null
  readonly renderMetrics: () => string
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono()
  app.post('/v1/records/:dataSource', createIngestHandler(deps))
  app.post('/api/v1/write', createRemoteWriteHandler(deps))
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', (c) => {
    const reason = deps.notReadyReason()
    return reason === null ? c.json({ status: 'ready' }) : c.json({ status: 'not ready', reason }, 503)
  })
  app.get('/metrics', (c) => c.text(deps.renderMetrics(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }))
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}; see POST /v1/records/{data-source}, POST /api/v1/write, GET /healthz, /readyz, /metrics` }, 404))
  app.onError((err, c) => {
    deps.log.error('request failed', { path: new URL(c.req.url).pathname, error: err })
    return c.json({ error: 'internal error; the relay is still running' }, 500)
  })
  return app
}
