import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config-file/load.ts'
import { exportersYaml, formatted } from './helpers.ts'

/** A prometheus exporter entry with the `extra` lines (its endpoints among them). */
const entry = (extra: string) =>
  exportersYaml([`protocol: prometheus\nenabled: true\ndata-sources: [flow_metrics.network.1m]\nexport-fields: [$tag, $metrics]\n${extra}`])

test('extra-headers cannot override the remote-write headers: a warning names each one', () => {
  const config = parseConfig(
    entry(
      'endpoints: [http://127.0.0.1:9090/api/v1/write]\nextra-headers: {content-type: text/plain, User-Agent: x, Authorization: Bearer t}',
    ),
    'rw.yaml',
  )
  assert.deepEqual(config.warnings.filter((w) => w.includes('extra-headers')), [
    'exporters[0].extra-headers.content-type: cannot override a remote-write header; ignored (line 7)',
    'exporters[0].extra-headers.User-Agent: cannot override a remote-write header; ignored (line 7)',
  ])
})

test('remote-write endpoints that are not http(s) URLs are left out with a warning; with none left the exporter is skipped', () => {
  const some = parseConfig(entry('endpoints: [127.0.0.1:9090, "http://vm:8428/api/v1/write"]'), 'rw.yaml')
  assert.deepEqual(some.exporters[0]!.endpoints, ['http://vm:8428/api/v1/write'])
  assert.deepEqual(some.warnings, [
    'exporters[0].endpoints[0]: expected an http:// or https:// remote-write URL, got "127.0.0.1:9090"; ignored (line 6)',
  ])
  const none = parseConfig(entry('endpoints: [127.0.0.1:9090, "ftp://x/y"]'), 'rw.yaml')
  assert.deepEqual(none.exporters, [])
  assert.deepEqual(none.warnings, [
    'exporters[0].endpoints[0]: expected an http:// or https:// remote-write URL, got "127.0.0.1:9090"; ignored (line 6)',
    'exporters[0].endpoints[1]: expected an http:// or https:// remote-write URL, got "ftp://x/y"; ignored (line 6)',
    'exporters[0].endpoints: no usable endpoint; exporter skipped (DeepFlow divides by zero at the first batch, Q14) (line 6)',
  ])
})

test('relay-only keys: request-timeout, max-retry-duration and tls, with their defaults', () => {
  const e = parseConfig(entry('endpoints: [https://vm:8428/api/v1/write]\ntls: {ca-file: /etc/ca.pem}'), 'rw.yaml').exporters[0]!
  assert.equal(e.requestTimeout, 30)
  assert.equal(e.maxRetryDuration, 300)
  assert.deepEqual(e.tls, { caFile: '/etc/ca.pem', insecureSkipVerify: false })
  assert.deepEqual(formatted(entry('endpoints: [https://vm/w]\nrequest-timeout: 0\ntls: {ca: x}')), [
    'exporters[0].request-timeout: expected a positive number of seconds, got 0 (line 7)',
    'exporters[0].tls.ca: unknown key (valid keys: ca-file, insecure-skip-verify) (line 8)',
  ])
})
