// The compiled binary's listener: TLS (relay.tls, a test CA's certificate made with openssl), the
// bearer token, and slow or idle clients cut off after relay.client-timeout.
import test from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { isolatedBinary, start } from '../helpers/binary.ts'
import { makeCertificates } from '../helpers/certs.ts'
import { runtimeHttpFetch } from '../helpers/runtime-fetch.ts'

test('relay.tls serves https with the given certificate; the token is required on ingest', { timeout: 30_000 }, async () => {
  const { dir, bin } = isolatedBinary()
  const certs = makeCertificates()
  writeFileSync(join(dir, 'cert.pem'), certs.cert)
  writeFileSync(join(dir, 'key.pem'), certs.key)
  writeFileSync(
    join(dir, 'relay.yaml'),
    `relay:
  tls: {cert-file: cert.pem, key-file: key.pem}
exporters:
  - {protocol: stdout, enabled: true, data-sources: [flow_metrics.network.1m], export-fields: [$metrics], flush-timeout: 0.05}
`,
  )
  const relay = await start(bin, dir, ['--config', 'relay.yaml', '--listen', '127.0.0.1:0'], {
    DEEPFLOW_RELAY_AUTH_TOKEN: 'token-from-the-environment',
  })
  assert.match(relay.url, /^https:\/\/127\.0\.0\.1:\d+\/$/)
  const post = (headers: Record<string, string>) =>
    runtimeHttpFetch(
      `${relay.url}v1/records/flow_metrics.network.1m`,
      { method: 'POST', body: '{"time":1715133600,"byte_tx":3}', headers },
      { ca: certs.ca, insecureSkipVerify: false },
    )
  assert.equal((await post({})).status, 401)
  assert.equal((await post({ Authorization: 'Bearer token-from-the-environment' })).status, 202)
  await assert.rejects(fetch(`${relay.url}healthz`), /certificate|issuer|SSL|TLS|fetch failed/i)
  assert.equal(await relay.stop(), 0)
  assert.equal(relay.stdout(), '{"datasource":"flow_metrics.network.1m","byte_tx":3,"time_str":"2024-05-08 02:00:00 +0000 UTC"}\n')
  assert.equal(relay.stderr().includes('token-from-the-environment'), false)
})

test('a client that connects and goes silent is cut off after relay.client-timeout', { timeout: 30_000 }, async () => {
  const { dir, bin } = isolatedBinary()
  writeFileSync(join(dir, 'relay.yaml'), 'relay:\n  client-timeout: 2\nexporters: []\n')
  const relay = await start(bin, dir, ['--config', 'relay.yaml', '--listen', '127.0.0.1:0'])
  const { port } = new URL(relay.url)
  const started = Date.now()
  const closedAfter = await new Promise<number>((resolve, reject) => {
    const socket = connect(
      Number(port),
      '127.0.0.1',
      () => socket.write('POST /v1/records/flow_metrics.network.1m HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"time":'),
    )
    socket.on('close', () => resolve(Date.now() - started))
    socket.on('error', reject)
    setTimeout(() => reject(new Error('the silent client was never cut off')), 20_000)
  })
  assert.ok(closedAfter >= 1500 && closedAfter < 10_000, `closed after ${closedAfter} ms`)
  assert.equal((await fetch(`${relay.url}healthz`)).status, 200)
  assert.equal(await relay.stop(), 0)
})

test('huge request headers get a 4xx and the relay stays healthy', { timeout: 30_000 }, async () => {
  const { dir, bin } = isolatedBinary()
  writeFileSync(join(dir, 'relay.yaml'), 'exporters: []\n')
  const relay = await start(bin, dir, ['--config', 'relay.yaml', '--listen', '127.0.0.1:0'])
  const { port } = new URL(relay.url)
  const status = await new Promise<string>((resolve, reject) => {
    let answer = ''
    const socket = connect(
      Number(port),
      '127.0.0.1',
      () =>
        socket.write(
          `POST /v1/records/flow_metrics.network.1m HTTP/1.1\r\nHost: x\r\nX-Huge: ${
            'a'.repeat(1024 * 1024)
          }\r\nContent-Length: 2\r\n\r\n{}`,
        ),
    )
    socket.on('data', (d: Buffer) => (answer += d.toString()))
    // The relay answers 431 and closes while the client is still writing the megabyte, so the client
    // may see a reset instead of the answer: an error under Bun and Node, a close with nothing read
    // under Deno's node:net.
    socket.on('close', () => resolve(answer.split('\r\n')[0] || 'connection reset'))
    socket.on('error', () => resolve(answer.split('\r\n')[0] || 'connection reset'))
    setTimeout(() => reject(new Error('no answer')), 20_000)
  })
  assert.match(status, /^HTTP\/1\.1 4\d\d |^connection reset$/)
  assert.equal((await fetch(`${relay.url}healthz`)).status, 200)
  assert.equal(await relay.stop(), 0)
})
