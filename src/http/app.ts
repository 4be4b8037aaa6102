// The HTTP surface as a Hono app (served by the runtime adapter; tests call app.request()
// directly): ingest (ingest.ts, remote-write-ingest.ts), health, readiness, metrics, the status page
// and its data (status-page.ts, status.ts) and the tap (tap-route.ts); bearer-token auth (auth.ts).
import { type Context, Hono } from 'hono'
import type { IngestDeps } from './ingest.ts'
import { createIngestHandler } from './ingest.ts'
import { createRemoteWriteHandler } from './remote-write-ingest.ts'
import { requireBearerToken } from './auth.ts'
import { STATUS_PAGE_HTML } from './status-page.ts'
import { createTapHandler } from './tap-route.ts'

const ROUTES = 'see POST /v1/records/{data-source}, POST /api/v1/write, GET /, /v1/status, /v1/tap, /healthz, /readyz, /metrics'

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
    if (deps.protectMetrics) { for (const path of ['/metrics', '/', '/v1/status', '/v1/tap']) app.use(path, auth) }
  }

  // Named functions, so that a stack trace names the route.
  function healthz(c: Context): Response {
    return c.json({ status: 'ok' })
  }
  function readyz(c: Context): Response {
    const reason = deps.notReadyReason()
    return reason === null ? c.json({ status: 'ready' }) : c.json({ status: 'not ready', reason }, 503)
  }
  function statusPage(c: Context): Response | Promise<Response> {
    return c.html(STATUS_PAGE_HTML)
  }
  function status(c: Context): Response {
    return c.json(deps.status())
  }
  function metrics(c: Context): Response {
    return c.text(deps.renderMetrics(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
  }
  function notFound(c: Context): Response {
    return c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}; ${ROUTES}` }, 404)
  }
  function onError(err: Error, c: Context): Response {
    deps.log.error('request failed', { path: new URL(c.req.url).pathname, error: err })
    return c.json({ error: 'internal error; the relay is still running' }, 500)
  }

  app.post('/v1/records/:dataSource', createIngestHandler(deps))
  app.post('/api/v1/write', createRemoteWriteHandler(deps))
  app.get('/healthz', healthz)
  app.get('/readyz', readyz)
  app.get('/', statusPage)
  app.get('/v1/status', status)
  app.get('/v1/tap', createTapHandler({ exporters: deps.exporters }))
  app.get('/metrics', metrics)
  app.notFound(notFound)
  app.onError(onError)
  return app
}
