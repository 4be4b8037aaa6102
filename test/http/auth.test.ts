import test from 'node:test'
import assert from 'node:assert/strict'
import { tokenMatches } from '../../src/http/auth.ts'
import { startHarness, STDOUT_EXPORTER } from '../helpers/relay-harness.ts'
import { main } from '../../src/main.ts'
import { createFakeRuntime } from '../helpers/fake-runtime.ts'

const TOKEN = 'n0t-in-any-log-8c1f2e'
const NET = 'flow_metrics.network.1m'
const RECORD = '{"time":1715133600,"byte_tx":1}'

test('with relay.auth-token, ingest needs the bearer token; health stays open; /metrics follows protect-metrics', async () => {
  const h = await startHarness(`relay:\n  auth-token: ${TOKEN}\n${STDOUT_EXPORTER()}`)
  const post = (headers: Record<string, string>) => h.post(NET, RECORD, headers)
  const missing = await post({})
  assert.equal(missing.status, 401)
  assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="deepflow-relay"')
  assert.deepEqual(await missing.json(), { error: 'missing bearer token: send Authorization: Bearer <relay.auth-token>' })
  assert.equal((await post({ Authorization: 'Bearer wrong-token-wrong-token' })).status, 401)
  assert.equal((await post({ Authorization: `Basic ${TOKEN}` })).status, 401)
  assert.equal((await post({ Authorization: `Bearer ${TOKEN}x` })).status, 401)
  assert.equal((await post({ Authorization: `Bearer ${TOKEN}` })).status, 202)
  assert.equal((await post({ Authorization: `bearer ${TOKEN}` })).status, 202)
  assert.equal((await h.relay.app.request('/api/v1/write', { method: 'POST', body: 'x' })).status, 401)
  assert.equal((await h.relay.app.request('/healthz')).status, 200)
  assert.equal((await h.relay.app.request('/readyz')).status, 200)
  assert.equal((await h.relay.app.request('/metrics')).status, 401)
  const metrics = await h.relay.app.request('/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } })
  assert.equal(metrics.status, 200)
  assert.match(await metrics.text(), /^deepflow_relay_ingest_requests_total\{code="401"\} 6$/m)

  const open = await startHarness(`relay:\n  auth-token: ${TOKEN}\n  protect-metrics: false\n${STDOUT_EXPORTER()}`)
  assert.equal((await open.relay.app.request('/metrics')).status, 200)
  assert.equal((await open.post(NET, RECORD)).status, 401)
})

test('without a token everything is open, as before', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  assert.equal((await h.post(NET, RECORD)).status, 202)
  assert.equal((await h.relay.app.request('/metrics')).status, 200)
})

test('token comparison: equal only for the same text (length differences included)', async () => {
  const match = tokenMatches(TOKEN)
  assert.equal(await match(TOKEN), true)
  assert.equal(await match(TOKEN.slice(0, -1)), false)
  assert.equal(await match(`${TOKEN}0`), false)
  assert.equal(await match(''), false)
  assert.equal(await match(`${TOKEN.slice(0, -1)}${TOKEN.endsWith('a') ? 'b' : 'a'}`), false)
})

test('secrets never appear in check output, logs or /metrics', async () => {
  const SASL = 'sasl-secret-5f0a9'
  const HEADER = 'header-secret-77c2'
  const yaml = `relay:\n  auth-token: ${TOKEN}\nexporters:
  - {protocol: stdout, enabled: true, data-sources: [${NET}], export-fields: [$metrics]}
  - {protocol: prometheus, enabled: true, name: rw, endpoints: ["http://127.0.0.1:1/w"], data-sources: [${NET}], export-fields: [$metrics], extra-headers: {Authorization: "Bearer ${HEADER}"}}
  - {protocol: kafka, enabled: false, endpoints: ["127.0.0.1:1"], data-sources: [${NET}], export-fields: [$metrics], sasl: {enabled: true, username: u, password: ${SASL}}}
`
  const runtime = createFakeRuntime({ args: ['check', '--config', '/c.yaml'], files: { '/c.yaml': yaml } })
  assert.equal(await main(runtime), 0)
  const check = runtime.stdout.join('') + runtime.stderr.join('')
  const h = await startHarness(yaml)
  await h.post(NET, RECORD, { Authorization: 'Bearer nope-nope-nope-nope' })
  await h.post(NET, RECORD, { Authorization: `Bearer ${TOKEN}` })
  await h.clock.advance(2000)
  const everything = [check, JSON.stringify(h.logs), h.relay.metrics.registry.render()].join('\n')
  for (const secret of [TOKEN, SASL, HEADER]) assert.equal(everything.includes(secret), false, secret)
  assert.match(check, /auth-token: "\*\*\*\*\*\*"/)
})
