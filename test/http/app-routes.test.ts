// The relay app's routes are named functions, so that a stack trace through one names it.
import test from 'node:test'
import assert from 'node:assert/strict'
import { startHarness } from '../helpers/relay-harness.ts'

test('every route and the bearer-token check are named functions', async () => {
  const h = await startHarness(`relay:
  auth-token: 0123456789abcdef0123
exporters:
  - {protocol: stdout, enabled: true, data-sources: [flow_metrics.network.1m], export-fields: [$metrics]}
`)
  const named = h.relay.app.routes.map((r) => `${r.method} ${r.path} ${r.handler.name}`)
  assert.deepEqual(named, [
    'ALL /v1/records/* bearerToken',
    'ALL /api/* bearerToken',
    'ALL /metrics bearerToken',
    'ALL / bearerToken',
    'ALL /v1/status bearerToken',
    'ALL /v1/tap bearerToken',
    'POST /v1/records/:dataSource ingestRecords',
    'POST /api/v1/write ingestRemoteWrite',
    'GET /healthz healthz',
    'GET /readyz readyz',
    'GET / statusPage',
    'GET /v1/status status',
    'GET /v1/tap tap',
    'GET /metrics metrics',
  ])
})
