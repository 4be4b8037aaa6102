// The compiled binary's opentelemetry exporters over both transports and through a failure: an
// OTLP/HTTP endpoint that answers 503 once, then takes the batch again, and a gRPC receiver. Every
// span arrives once, with its metadata or headers. (TLS, gRPC and HTTP, is tested against the same
// receivers at the sink in test/exporters/otlp/tls.test.ts, under Bun and Deno.)
import test, { after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isolatedBinary, start } from '../helpers/binary.ts'
import { startGrpcReceiver, startHttpReceiver } from '../helpers/otlp-receiver.ts'
import { otlpTapLines } from '../../src/encode/otlp/span-tap.ts'

const [http, grpc] = await Promise.all([startHttpReceiver(), startGrpcReceiver()])
after(async () => {
  await Promise.all([http.close(), grpc.close()])
})

const SPANS = 40
const records = Array.from({ length: SPANS }, (_, i) =>
  JSON.stringify({
    time: 1715133600 + i,
    _id: 500 + i,
    l7_protocol: 20,
    request_type: 'GET',
    request_resource: `/b/${i}`,
    end_time: (1715133600 + i) * 1_000_000,
  })).join('\n')

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const ids = (raws: readonly Uint8Array[]) =>
  raws.flatMap((raw) => otlpTapLines(raw)).map((l) =>
    Number((JSON.parse(l) as { resource: Record<string, unknown> }).resource['df.flow_info.id'])
  )
    .sort((a, b) => a - b)

test('the binary exports spans over OTLP/HTTP (a 503 retried) and OTLP/gRPC, each span once', { timeout: 120_000 }, async () => {
  const { dir, bin } = isolatedBinary()
  http.script({ status: 503, headers: { 'retry-after': '0' } })
  writeFileSync(
    join(dir, 'relay.yaml'),
    `exporters:
  - protocol: opentelemetry
    enabled: true
    name: http
    endpoints: [${http.endpoint}]
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag, $metrics]
    batch-size: 16
    extra-headers: {X-Tenant: acme}
  - protocol: opentelemetry
    enabled: true
    name: grpc
    endpoints: [${grpc.endpoint}]
    data-sources: [flow_log.l7_flow_log]
    export-fields: [$tag, $metrics]
    extra-headers: {X-Tenant: acme}
`,
  )
  const relay = await start(bin, dir, ['--config', 'relay.yaml', '--listen', '127.0.0.1:0'])
  try {
    const res = await fetch(`${relay.url}v1/records/flow_log.l7_flow_log`, { method: 'POST', body: records })
    assert.equal(res.status, 202, await res.text())
    await until('every span over HTTP', () => ids(http.requests.slice(1).map((r) => r.raw)).length >= SPANS)
    await until('every span over gRPC', () => ids(grpc.requests.map((r) => r.raw)).length >= SPANS)
    const expected = Array.from({ length: SPANS }, (_, i) => 500 + i)
    // The first HTTP request was answered 503 and sent again: each span arrived once after it.
    assert.deepEqual(ids(http.requests.slice(1).map((r) => r.raw)), expected)
    assert.deepEqual(ids(grpc.requests.map((r) => r.raw)), expected)
    assert.equal(http.requests[0]!.metadata['content-type'], 'application/x-protobuf')
    assert.equal(http.requests[0]!.metadata['x-tenant'], 'acme')
    assert.match(http.requests[0]!.metadata['user-agent'] ?? '', /^deepflow-relay\//)
    assert.equal(grpc.requests[0]!.metadata['x-tenant'], 'acme')
    const m = await (await fetch(`${relay.url}metrics`)).text()
    assert.match(m, /deepflow_relay_records_sent_total\{exporter="http"\} 40\b/)
    assert.match(m, /deepflow_relay_records_sent_total\{exporter="grpc"\} 40\b/)
    assert.match(m, /deepflow_relay_send_retries_total\{exporter="http"\} 1\b/)
    assert.match(m, /deepflow_relay_otlp_requests_total\{exporter="http",endpoint="[^"]+",status="5xx"\} 1\b/)
  } finally {
    assert.equal(await relay.stop(), 0, relay.stderr())
  }
})
