import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config/load.ts'
import { ConfigError, formatProblem } from '../../src/config/problems.ts'

const entry = (extra: string) => `exporters:
  - protocol: prometheus
    enabled: true
    data-sources: [flow_metrics.network.1m]
    export-fields: [$tag, $metrics]
${extra.split('\n').map((l) => `    ${l}`).join('\n')}
`

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'rw.yaml')
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map(formatProblem)
    throw err
  }
  return []
}

test('extra-headers cannot override the remote-write headers: a warning names each one', () => {
  const config = parseConfig(entry('endpoints: [http://127.0.0.1:9090/api/v1/write]\nextra-headers: {content-type: text/plain, User-Agent: x, Authorization: Bearer t}'), 'rw.yaml')
  assert.deepEqual(config.warnings.filter((w) => w.includes('extra-headers')), [
    'exporters[0].extra-headers.content-type: cannot override a remote-write header; ignored',
    'exporters[0].extra-headers.User-Agent: cannot override a remote-write header; ignored',
  ])
})

test('remote-write endpoints must be http(s) URLs', () => {
  assert.deepEqual(problems(entry('endpoints: [127.0.0.1:9090, "ftp://x/y"]')), [
    'exporters[0].endpoints[0]: expected an http:// or https:// remote-write URL, got "127.0.0.1:9090" (line 6)',
    'exporters[0].endpoints[1]: expected an http:// or https:// remote-write URL, got "ftp://x/y" (line 6)',
  ])
})

test('relay-only keys: request-timeout, max-retry-duration and tls, with their defaults', () => {
  const e = parseConfig(entry('endpoints: [https://vm:8428/api/v1/write]\ntls: {ca-file: /etc/ca.pem}'), 'rw.yaml').exporters[0]!
  assert.equal(e.requestTimeout, 30)
  assert.equal(e.maxRetryDuration, 300)
  assert.deepEqual(e.tls, { caFile: '/etc/ca.pem', insecureSkipVerify: false })
  assert.deepEqual(problems(entry('endpoints: [https://vm/w]\nrequest-timeout: 0\ntls: {ca: x}')), [
    'exporters[0].request-timeout: expected a positive number of seconds, got 0 (line 7)',
    'exporters[0].tls.ca: unknown key (valid keys: ca-file, insecure-skip-verify) (line 8)',
  ])
})
