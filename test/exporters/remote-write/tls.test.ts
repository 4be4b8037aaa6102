// https endpoints: a test CA's server certificate (made with openssl) trusted through tls.ca-file, refused
// without it, accepted with insecure-skip-verify.
import test from 'node:test'
import assert from 'node:assert/strict'
import { until } from '../../helpers/manual-clock.ts'
import { startHarness } from '../../helpers/relay-harness.ts'
import { seriesText, startReceiver } from '../../helpers/rw-receiver.ts'
import { makeCertificates } from '../../helpers/certs.ts'
import { IS_DENO } from '../../helpers/runtime-fetch.ts'

const DS = 'flow_metrics.network.1m'
const yaml = (url: string, tls: string) =>
  `exporters:
  - protocol: prometheus
    enabled: true
    name: rw
    endpoints: [${url}]
    data-sources: [${DS}]
    export-fields: [byte_tx]
    queue-count: 1
${tls === '' ? '' : `    tls: ${tls}\n`}`

test('https endpoints: trusted with tls.ca-file, refused without it, accepted with insecure-skip-verify', async () => {
  const certs = makeCertificates()
  const r = await startReceiver({ key: certs.key, cert: certs.cert })
  try {
    const trusted = await startHarness(yaml(r.url, '{ca-file: /ca.pem}'), { files: { '/ca.pem': certs.ca } })
    await trusted.post(DS, '{"time":1715133600,"byte_tx":1}')
    await trusted.clock.advance(1000)
    await until(() => r.requests.length === 1, 'the request with the CA')
    assert.deepEqual(seriesText(r.requests[0]!.series), [`byte_tx{datasource="${DS}"} 1 @1715133600000`])

    const untrusted = await startHarness(yaml(r.url, ''))
    await untrusted.post(DS, '{"time":1715133600,"byte_tx":2}')
    await untrusted.clock.advance(1000)
    await until(
      () => untrusted.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${r.url}",status="error"}`) === 1,
      'a certificate error',
    )
    assert.equal(r.requests.length, 1)

    const skipping = await startHarness(yaml(r.url, '{insecure-skip-verify: true}'))
    await skipping.post(DS, '{"time":1715133600,"byte_tx":3}')
    await skipping.clock.advance(1000)
    if (IS_DENO) {
      // Deno's fetch has no per-client switch to skip verification: the relay says so and retries.
      await until(
        () => skipping.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${r.url}",status="error"}`) === 1,
        'the Deno refusal',
      )
      assert.ok(skipping.logs.some((l) => String(l.error).includes('tls.insecure-skip-verify is not available under Deno')))
    } else {
      await until(() => r.requests.length === 2, 'the request with verification off')
    }
    const stopping = untrusted.relay.stop()
    await untrusted.clock.advance(10_000)
    await stopping
    assert.equal(untrusted.metric('deepflow_relay_records_dropped_total{exporter="rw",reason="shutdown"}'), 1)
  } finally {
    await r.close()
  }
})

test('an unreadable tls.ca-file stops the relay from starting', async () => {
  await assert.rejects(
    startHarness(yaml('https://127.0.0.1:1/api/v1/write', '{ca-file: /missing.pem}')),
    /tls\.ca-file: cannot read \/missing\.pem/,
  )
})
