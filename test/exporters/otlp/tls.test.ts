// TLS towards OTLP endpoints, with a throwaway CA's server certificate (test/helpers/certs.ts):
// gRPC is TLS when the exporter has tls settings (trusted through its CA, refused without it,
// accepted with insecure-skip-verify), plaintext otherwise; https endpoints go through the runtime's
// fetch with the same settings.
import test from 'node:test'
import assert from 'node:assert/strict'
import { makeCertificates } from '../../helpers/certs.ts'
import { spanItem, spanNames, startGrpcReceiver, startHttpReceiver } from '../../helpers/otlp-receiver.ts'
import { IS_DENO } from '../../helpers/runtime-fetch.ts'
import { otlpSinks } from './sinks.ts'

const certs = makeCertificates()
const TLS = { caFile: '/ca.pem', insecureSkipVerify: false }
const SKIP = { caFile: null, insecureSkipVerify: true }

test('gRPC over TLS: trusted with the CA, refused without it, accepted with insecure-skip-verify; plaintext fails', async () => {
  const r = await startGrpcReceiver({ tls: { key: certs.key, cert: certs.cert } })
  const e = r.endpoint
  try {
    const trusted = otlpSinks([e], { tls: TLS, tlsOptions: { ca: certs.ca, insecureSkipVerify: false } })
    assert.deepEqual(await trusted.send([spanItem('a', 'trusted')]), { status: 'ok' })
    await trusted.close()

    // tls settings without a CA file: the system's CAs, which do not know the test CA
    const untrusted = otlpSinks([e], {
      tls: { caFile: null, insecureSkipVerify: false },
      tlsOptions: { ca: null, insecureSkipVerify: false },
    })
    const refused = await untrusted.send([spanItem('a', 'untrusted')])
    assert.equal(refused.status, 'retryable')
    assert.match((refused as { error: string }).error, new RegExp(`^${e}: gRPC UNAVAILABLE: `))
    assert.equal(untrusted.requests(e, 'UNAVAILABLE'), 1)
    await untrusted.close()

    const skipping = otlpSinks([e], { tls: SKIP, tlsOptions: { ca: null, insecureSkipVerify: true } })
    assert.deepEqual(await skipping.send([spanItem('a', 'skipping')]), { status: 'ok' })
    await skipping.close()

    // the CA not read yet (TlsOptions null): TLS all the same, with the system's CAs
    const unread = otlpSinks([e], { tls: TLS, tlsOptions: null })
    assert.equal((await unread.send([spanItem('a', 'unread')])).status, 'retryable')
    await unread.close()

    const plaintext = otlpSinks([e])
    assert.equal((await plaintext.send([spanItem('a', 'plaintext')])).status, 'retryable')
    await plaintext.close()

    assert.deepEqual(r.requests.map((q) => spanNames(q.request)), [['a/trusted'], ['a/skipping']])
  } finally {
    await r.close()
  }
})

test('gRPC over TLS checks the certificate names the endpoint: an IP address (no server name sent), a host name', async () => {
  const ca = { tls: TLS, tlsOptions: { ca: certs.ca, insecureSkipVerify: false } }
  // the certificate names 127.0.0.1 and localhost, not 127.0.0.2
  const elsewhere = await startGrpcReceiver({ tls: { key: certs.key, cert: certs.cert }, host: '127.0.0.2' })
  const r = await startGrpcReceiver({ tls: { key: certs.key, cert: certs.cert } })
  try {
    const wrongIp = otlpSinks([elsewhere.endpoint], ca)
    const refused = await wrongIp.send([spanItem('a', 'b')])
    assert.equal(refused.status, 'retryable')
    assert.match((refused as { error: string }).error, /127\.0\.0\.2/)
    assert.equal(elsewhere.requests.length, 0)
    await wrongIp.close()
    // the same server certificate is fine with verification off
    const skipping = otlpSinks([elsewhere.endpoint], { tls: SKIP, tlsOptions: { ca: null, insecureSkipVerify: true } })
    assert.deepEqual(await skipping.send([spanItem('a', 'c')]), { status: 'ok' })
    await skipping.close()

    const byName = otlpSinks([`localhost:${r.port}`], ca)
    assert.deepEqual(await byName.send([spanItem('a', 'd')]), { status: 'ok' })
    await byName.close()
    assert.equal(r.requests.length, 1)
  } finally {
    await elsewhere.close()
    await r.close()
  }
})

test('a plaintext receiver refuses a TLS client: no request arrives', async () => {
  const r = await startGrpcReceiver()
  try {
    const s = otlpSinks([r.endpoint], { tls: TLS, tlsOptions: { ca: certs.ca, insecureSkipVerify: false } })
    assert.equal((await s.send([spanItem('a', 'b')])).status, 'retryable')
    assert.equal(r.requests.length, 0)
    await s.close()
  } finally {
    await r.close()
  }
})

test('https endpoints: trusted with the CA, refused without it, insecure-skip-verify as the runtime allows', async () => {
  const r = await startHttpReceiver({ tls: { key: certs.key, cert: certs.cert } })
  const e = r.endpoint
  try {
    const trusted = otlpSinks([e], { tls: TLS, tlsOptions: { ca: certs.ca, insecureSkipVerify: false } })
    assert.deepEqual(await trusted.send([spanItem('a', 'trusted')]), { status: 'ok' })

    const untrusted = otlpSinks([e])
    const refused = await untrusted.send([spanItem('a', 'untrusted')])
    assert.equal(refused.status, 'retryable')
    assert.equal(untrusted.requests(e, 'error'), 1)

    const skipping = otlpSinks([e], { tls: SKIP, tlsOptions: { ca: null, insecureSkipVerify: true } })
    const skipped = await skipping.send([spanItem('a', 'skipping')])
    if (IS_DENO) {
      // Deno's fetch has no per-client switch to skip verification: the relay says so and retries.
      assert.equal(skipped.status, 'retryable')
      assert.match((skipped as { error: string }).error, /tls\.insecure-skip-verify is not available under Deno/)
      assert.deepEqual(r.requests.map((q) => spanNames(q.request)), [['a/trusted']])
    } else {
      assert.deepEqual(skipped, { status: 'ok' })
      assert.deepEqual(r.requests.map((q) => spanNames(q.request)), [['a/trusted'], ['a/skipping']])
    }
  } finally {
    await r.close()
  }
})
