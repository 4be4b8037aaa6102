// The Kafka exporter against a real Apache Kafka broker (KRaft, from Maven Central, started by
// scripts/services/kafka.ts), read back with kcat: the bytes a Kafka consumer sees.
import test, { after } from 'node:test'
import assert from 'node:assert/strict'
import { DATA_SOURCES } from '../../../src/deepflow/schema.ts'
import { createRealClock, until } from '../../helpers/manual-clock.ts'
import { startHarness } from '../../helpers/relay-harness.ts'
import { KAFKA_PASSWORD, KAFKA_USER, startKafka } from '../../../scripts/services/kafka.ts'
import { freePort } from '../../../scripts/services/process.ts'

// message.max.bytes is lowered so that a 300 kB record is too large for the broker but not for
// the relay's own max-message-bytes (1 MB): the broker's refusal is what is tested.
const broker = await startKafka({ 'message.max.bytes': '200000' })
after(() => broker.destroy())

const END = 1715133600123512
const RECORDS: Record<string, object> = Object.fromEntries(
  DATA_SOURCES.map((ds) => [
    ds,
    ds.startsWith('flow_metrics') ? { time: 1715133600, ip4: '10.1.2.3', protocol: 6, server_port: 9080 } : {
      time: 1715133600,
      end_time: END,
      ...(ds.startsWith('flow_log') ? { ip4_0: '10.1.2.3', _id: '18446744073709551615' } : { ip4: '10.1.2.3', _id: 7 }),
    },
  ]),
)

function exporterYaml(name: string, extra: string): string {
  return `  - protocol: kafka
    enabled: true
    name: ${name}
    export-fields: [$tag, $metrics]
    queue-count: 1
    flush-timeout: 0.05
${extra.split('\n').filter((l) => l !== '').map((l) => `    ${l}`).join('\n')}
`
}

test("every data source lands as DeepFlow's JSON line: key null, no headers, timestamp = end time, topic deepflow.<ds>", {
  timeout: 60_000,
}, async () => {
  const dss = DATA_SOURCES.join(', ')
  const h = await startHarness(
    `exporters:
${exporterYaml('k', `endpoints: [${broker.plaintext}]\ndata-sources: [${dss}]`)}
  - {protocol: stdout, enabled: true, name: s, data-sources: [${dss}], export-fields: [$tag, $metrics], flush-timeout: 0.05}
`,
    { clock: createRealClock() },
  )
  for (const ds of DATA_SOURCES) assert.equal((await h.post(ds, JSON.stringify(RECORDS[ds]))).status, 202, ds)
  await until(() => h.metric('deepflow_relay_records_sent_total{exporter="k"}') === DATA_SOURCES.length, 'all sent', 30_000)
  const lines = h.lines()
  for (const ds of DATA_SOURCES) {
    const [m, ...more] = await broker.consume(`deepflow.${ds}`, 1)
    assert.equal(more.length, 0, ds)
    assert.equal(m!.value, lines.find((l) => l.startsWith(`{"datasource":"${ds}"`)), ds)
    assert.equal(m!.key, 'NULL', `${ds} key`)
    assert.equal(m!.headers, '', `${ds} headers`)
    assert.equal(m!.timestamp, ds.startsWith('flow_metrics') ? 1715133600000 : Math.floor(END / 1000), `${ds} timestamp`)
  }
  assert.match(lines.find((l) => l.startsWith('{"datasource":"flow_log.l7_flow_log"'))!, /"_id":18446744073709551615,/)
  assert.ok(h.metric('deepflow_relay_kafka_bytes_sent_total{exporter="k"}')! > 0)
  await h.relay.stop()
})

test('topic puts every data source of the exporter on one topic; gzip and no compression work too', { timeout: 60_000 }, async () => {
  const h = await startHarness(
    `exporters:
${
      exporterYaml(
        'one',
        `endpoints: [${broker.plaintext}]\ndata-sources: [flow_log.l4_flow_log, event.file_event]\ntopic: relay-all\ncompression: gzip`,
      )
    }
${exporterYaml('raw', `endpoints: [${broker.plaintext}]\ndata-sources: [flow_metrics.network.1s]\ntopic: relay-none\ncompression: none`)}`,
    { clock: createRealClock() },
  )
  await h.post('flow_log.l4_flow_log', JSON.stringify({ time: 1, end_time: 1000 }))
  await h.post('event.file_event', JSON.stringify({ time: 1, end_time: 2000 }))
  await h.post('flow_metrics.network.1s', JSON.stringify({ time: 3 }))
  const all = await broker.consume('relay-all', 2)
  assert.deepEqual(all.map((m) => JSON.parse(m.value).datasource).sort(), ['event.file_event', 'flow_log.l4_flow_log'])
  assert.deepEqual((await broker.consume('relay-none', 1)).map((m) => m.value), [
    '{"datasource":"flow_metrics.network.1s","time":3,"time_str":"1970-01-01 00:00:03 +0000 UTC"}',
  ])
  await h.relay.stop()
})

test('SASL_SSL with PLAIN and SASL_PLAINTEXT with SCRAM-SHA-512 deliver; a wrong password is reported and retried, never delivered', {
  timeout: 60_000,
}, async () => {
  const sasl = (protocol: string, mechanism: string, password: string) =>
    `sasl: {enabled: true, security-protocol: ${protocol}, sasl-mechanism: ${mechanism}, username: ${KAFKA_USER}, password: ${password}}`
  const h = await startHarness(
    `exporters:
${
      exporterYaml(
        'ssl',
        `endpoints: [${broker.saslSsl}]\ndata-sources: [flow_metrics.network.1m]\ntopic: sasl-ssl\ntls: {ca-file: /ca.pem}\n${
          sasl('SASL_SSL', 'PLAIN', KAFKA_PASSWORD)
        }`,
      )
    }
${
      exporterYaml(
        'scram',
        `endpoints: [${broker.saslPlaintext}]\ndata-sources: [flow_metrics.network.1m]\ntopic: sasl-scram\n${
          sasl('SASL_PLAINTEXT', 'SCRAM-SHA-512', KAFKA_PASSWORD)
        }`,
      )
    }
${
      exporterYaml(
        'bad',
        `endpoints: [${broker.saslSsl}]\ndata-sources: [flow_metrics.network.1m]\ntopic: sasl-bad\ntls: {ca-file: /ca.pem}\n${
          sasl('SASL_SSL', 'PLAIN', 'wrong')
        }`,
      )
    }`,
    { clock: createRealClock(), files: { '/ca.pem': broker.caPem } },
  )
  assert.equal((await h.post('flow_metrics.network.1m', JSON.stringify({ time: 1715133600, byte_tx: 1 }))).status, 202)
  assert.equal((await broker.consume('sasl-ssl', 1)).length, 1)
  assert.equal((await broker.consume('sasl-scram', 1)).length, 1)
  await until(
    () => (h.metric('deepflow_relay_kafka_errors_total{exporter="bad",kind="authentication"}') ?? 0) >= 2,
    'authentication retried',
    30_000,
  )
  const ready = await h.relay.app.request('/readyz')
  assert.equal(ready.status, 503)
  assert.match(((await ready.json()) as { reason: string }).reason, /bad/)
  assert.ok(
    h.logs.some((l) =>
      l.msg === 'Kafka authentication failed; retrying (fix the sasl settings: no restart needed)' && l.exporter === 'bad'
    ),
  )
  assert.equal(h.metric('deepflow_relay_records_sent_total{exporter="bad"}'), 0)
  assert.equal((await broker.consume('sasl-bad', 0, 500)).length, 0)
})

test('tls without sasl: SSL to a broker whose certificate is trusted through tls.ca-file', { timeout: 60_000 }, async () => {
  const h = await startHarness(
    `exporters:
${
      exporterYaml(
        'ssl-only',
        `endpoints: [${broker.ssl}]\ndata-sources: [flow_metrics.network.1m]\ntopic: ssl-only\ntls: {ca-file: /ca.pem}`,
      )
    }`,
    { clock: createRealClock(), files: { '/ca.pem': broker.caPem } },
  )
  await h.post('flow_metrics.network.1m', JSON.stringify({ time: 1715133600, byte_tx: 5 }))
  assert.deepEqual((await broker.consume('ssl-only', 1)).map((m) => m.value), [
    '{"datasource":"flow_metrics.network.1m","time":1715133600,"byte_tx":5,"time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  ])
  await h.relay.stop()
})

test('a dead bootstrap address beside the live broker, in either order, does not stop delivery', { timeout: 60_000 }, async () => {
  const dead = `127.0.0.1:${await freePort()}`
  for (const [i, endpoints] of [[dead, broker.plaintext], [broker.plaintext, dead]].entries()) {
    const h = await startHarness(
      `exporters:
${exporterYaml('k', `endpoints: [${endpoints.join(', ')}]\ndata-sources: [flow_metrics.application.1m]\ntopic: dead-bootstrap-${i}`)}`,
      { clock: createRealClock() },
    )
    await h.post('flow_metrics.application.1m', JSON.stringify([1, 2, 3].map((n) => ({ time: n, request: n }))))
    const got = await broker.consume(`dead-bootstrap-${i}`, 3)
    assert.deepEqual(got.map((m) => JSON.parse(m.value).request).sort(), [1, 2, 3], `order ${i}`)
    await h.relay.stop()
  }
})

test('a record too large for the broker is dropped alone; the rest of its batch is delivered', { timeout: 60_000 }, async () => {
  const h = await startHarness(
    `relay:\n  max-string-bytes: 1048576\nexporters:
${exporterYaml('k', `endpoints: [${broker.plaintext}]\ndata-sources: [flow_log.l7_flow_log]\ntopic: too-large\nbatch-size: 10`)}`,
    { clock: createRealClock() },
  )
  // Random base64 stays large after snappy: the broker checks the compressed batch.
  const random = new Uint8Array(300_000)
  for (let at = 0; at < random.length; at += 65_536) crypto.getRandomValues(random.subarray(at, at + 65_536))
  const big = Buffer.from(random).toString('base64')
  const res = await h.post(
    'flow_log.l7_flow_log',
    JSON.stringify([{ time: 1, request_domain: 'a' }, { time: 1, request_resource: big }, { time: 1, request_domain: 'c' }]),
  )
  assert.equal(res.status, 202)
  const got = await broker.consume('too-large', 2)
  assert.deepEqual(got.map((m) => JSON.parse(m.value).request_domain).sort(), ['a', 'c'])
  await until(() => h.metric('deepflow_relay_records_dropped_total{exporter="k",reason="too_large"}') === 1, 'the drop counted')
  assert.equal(h.metric('deepflow_relay_records_sent_total{exporter="k"}'), 2)
  assert.ok(h.metric('deepflow_relay_kafka_errors_total{exporter="k",kind="too_large"}')! >= 1)
  // max-message-bytes drops before sending, at admission.
  const small = await startHarness(
    `exporters:
${
      exporterYaml(
        'm',
        `endpoints: [${broker.plaintext}]\ndata-sources: [flow_log.l7_flow_log]\ntopic: too-large-2\nmax-message-bytes: 1000`,
      )
    }`,
    { clock: createRealClock() },
  )
  await small.post('flow_log.l7_flow_log', JSON.stringify([{ time: 1, request_resource: 'y'.repeat(2000) }, { time: 1 }]))
  assert.equal(small.metric('deepflow_relay_records_dropped_total{exporter="m",reason="too_large"}'), 1)
  assert.equal((await broker.consume('too-large-2', 1)).length, 1)
  await h.relay.stop()
  await small.relay.stop()
})

test('uncompressed, a batch larger than max-message-bytes goes out in several produce calls, none refused as too large', {
  timeout: 60_000,
}, async () => {
  // The broker takes at most 200 000 bytes per record batch (message.max.bytes above).
  const h = await startHarness(
    `exporters:
${
      exporterYaml(
        'plain',
        `endpoints: [${broker.plaintext}]\ndata-sources: [flow_log.l7_flow_log]\ntopic: uncompressed-split\ncompression: none\nbatch-size: 1000\nmax-message-bytes: 150000`,
      )
    }`,
    { clock: createRealClock() },
  )
  const records = Array.from({ length: 400 }, (_, i) => ({ time: 1, request_domain: `${i}`.padEnd(1000, 'x') }))
  assert.equal((await h.post('flow_log.l7_flow_log', JSON.stringify(records))).status, 202)
  const got = await broker.consume('uncompressed-split', 400, 30_000)
  assert.deepEqual(got.map((m) => Number.parseInt(JSON.parse(m.value).request_domain, 10)).sort((a, b) => a - b), records.map((_, i) => i))
  // The broker can show the messages before the relay has read its acknowledgements.
  await until(() => h.metric('deepflow_relay_records_sent_total{exporter="plain"}') === 400, 'all counted as sent')
  assert.equal(h.metric('deepflow_relay_kafka_errors_total{exporter="plain",kind="too_large"}'), 0)
  // ~1 100 bytes per message: 400 of them need at least 3 calls of 150 000 bytes, not 400.
  const calls = h.metric('deepflow_relay_kafka_produce_requests_total{exporter="plain",outcome="ok"}')!
  assert.ok(calls >= 3 && calls <= 6, `${calls} produce calls`)
  await h.relay.stop()
})

test(
  'an idle connection leaves no timer spinning (kafkajs re-armed a 1 ms check forever: kafkajs-idle-fix.ts)',
  { timeout: 60_000 },
  async () => {
    const { createKafkaTransport } = await import('../../../src/exporters/kafka/transport.ts')
    const { createLogger } = await import('../../../src/observe/log.ts')
    const transport = createKafkaTransport({
      clientId: 'idle',
      brokers: [broker.plaintext],
      sasl: null,
      ssl: null,
      requestTimeoutMs: 10_000,
      log: createLogger({ write: () => {}, now: Date.now, level: 'error' }),
      random: () => 0,
    })
    const { encodeRecordBatch } = await import('../../../src/exporters/kafka/record-batch.ts')
    await transport.produce('idle', await encodeRecordBatch([{ line: new TextEncoder().encode('v'), timestampMs: 1 }], 'none'))
    assert.deepEqual((await broker.consume('idle', 1)).map((m) => m.value), ['v'])
    const original = globalThis.setTimeout
    let timers = 0
    // Only the request queue's timers count: other tests' relays may still be retrying.
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      if (/requestQueue/.test(new Error().stack ?? '')) timers++
      return original(...args)
    }) as typeof setTimeout
    try {
      await new Promise((r) => original(r, 500))
    } finally {
      globalThis.setTimeout = original
    }
    // Unpatched: 200 to 400 in these 500 ms (Deno, Bun).
    assert.equal(timers, 0)
    await transport.close()
  },
)

test('the compiled binary produces to Kafka (kafkajs inside the binary)', { timeout: 60_000 }, async () => {
  const { writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { isolatedBinary, start } = await import('../../helpers/binary.ts')
  const { dir, bin } = isolatedBinary()
  writeFileSync(
    join(dir, 'server.yaml'),
    `ingester:
  exporters:
    - protocol: kafka
      enabled: true
      endpoints: [${broker.plaintext}]
      data-sources: [flow_log.l7_flow_log]
      export-fields: [$tag, $metrics]
      flush-timeout: 0.05
      topic: binary-e2e
`,
  )
  const relay = await start(bin, dir, ['--config', 'server.yaml', '--listen', '127.0.0.1:0'])
  const res = await fetch(`${relay.url}v1/records/flow_log.l7_flow_log`, {
    method: 'POST',
    body: '{"time":1715133600,"end_time":1715133600123512,"_id":9007199254740993,"l7_protocol":20}',
  })
  assert.equal(res.status, 202)
  assert.equal((await broker.consume('binary-e2e', 1, 30_000)).length, 1)
  // Exactly one: nothing more arrives.
  const got = await broker.consume('binary-e2e', 2, 2000)
  assert.equal(got.length, 1)
  assert.equal(
    got[0]!.value,
    '{"datasource":"flow_log.l7_flow_log","_id":9007199254740993,"l7_protocol":"HTTP","time":1715133600,"end_time":1715133600123512,"time_str":"2024-05-08 02:00:00.123512 +0000 UTC"}',
  )
  assert.equal(await relay.stop(), 0)
  assert.ok(relay.stderr().trim().split('\n').every((l) => l.startsWith('{"ts":')), relay.stderr())
})
