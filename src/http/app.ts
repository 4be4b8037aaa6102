// The HTTP surface: ingest, health, readiness and metrics, as a Hono app (served by the runtime
// adapter; tests call app.request() directly).
import { Hono } from 'hono'
import type { IngestDeps } from './ingest.ts'
import { createIngestHandler } from './ingest.ts'
import { createRemoteWriteHandler } from './remote-write-ingest.ts'
import { requireBearerToken } from './auth.ts'
import { STATUS_PAGE_HTML } from './status-page.ts'
import { createTapHandler } from './tap-route.ts'

export interface AppDeps extends IngestDeps {
  /** relay.auth-token: required on ingest (and /metrics when protectMetrics); null: open. */
  readonly authToken: string | null
  readonly protectMetrics: boolean
  /** null when ready, else why not. */
  readonly notReadyReason: () => string | null
  readonly renderMetrics: () => string
  /** GET /v1/status (the status page's data). */
  readonly status: () => unknown
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono()
  if (deps.authToken !== null) {
    const auth = requireBearerToken(deps.authToken, () => deps.metrics.requests.inc(['401']))
    app.use('/v1/records/*', auth)
    app.use('/api/*', auth)
    // What shows the relay's state follows relay.protect-metrics.
    if (deps.protectMetrics) for (const path of ['/metrics', '/', '/v1/status', '/v1/tap']) app.use(path, auth)
  }
  app.post('/v1/records/:dataSource', createIngestHandler(deps))
  app.post('/api/v1/write', createRemoteWriteHandler(deps))
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', (c) => {
    const reason = deps.notReadyReason()
    return reason === null ? c.json({ status: 'ready' }) : c.json({ status: 'not ready', reason }, 503)
  })
  app.get('/', (c) => c.html(STATUS_PAGE_HTML))
  app.get('/v1/status', (c) => c.json(deps.status()))
  app.get('/v1/tap', createTapHandler({ exporters: deps.exporters }))
  app.get('/metrics', (c) => c.text(deps.renderMetrics(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }))
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}; see POST /v1/records/{data-source}, POST /api/v1/write, GET /, /v1/status, /v1/tap, /healthz, /readyz, /metrics` }, 404))
  app.onError((err, c) => {
    deps.log.error('request failed', { path: new URL(c.req.url).pathname, error: err })
    return c.json({ error: 'internal error; the relay is still running' }, 500)
  })
  return app
}
