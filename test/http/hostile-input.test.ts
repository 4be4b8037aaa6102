// A corpus of known-bad bodies: each is answered with its exact 4xx and error text, and the relay
// stays healthy afterwards (GET /healthz 200, a good record still 202). Several cases exist to fail
// when one protection is removed: the 5 MB line is an otherwise valid record (202 without the line
// limit), the duplicate-key record is otherwise valid (202 without the check), and so on.
import test from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { snappyBlockCompress as compress } from '../../src/util/snappy.ts'
import { encodeWriteRequest, type TimeSeries } from '../../src/wire/remote-write/prompb.ts'
import { type Harness, startHarness, STDOUT_EXPORTER } from '../helpers/relay-harness.ts'

const NET = 'flow_metrics.network.1m'
const T = 1715133600
const GOOD = JSON.stringify({ time: T, byte_tx: 10, ip4: '10.1.2.3' })
const NO_VALID = 'no valid record in the body'
const NOT_JSON = (start: string) =>
  `body is not JSON or NDJSON: it starts with ${JSON.stringify(start)}; send a JSON object, a JSON array of objects, or NDJSON`
const EMPTY = 'empty body: send a JSON object, a JSON array of objects, or NDJSON'
const BAD_UTF8 = (offset: number) => `body is not valid UTF-8 (first invalid byte at offset ${offset})`
const AMBIGUOUS = 'key given more than once in the record: ambiguous'
const LINE_LIMIT_OBJECT =
  'body is a single JSON object longer than the limit of 1048576 bytes (relay.max-line-bytes); send records as NDJSON or a JSON array'

/** Expected JSON where a RegExp stands for engine-worded text (JSON.parse's messages). */
type Expect = unknown

function matches(actual: unknown, expected: Expect, path: string): void {
  if (expected instanceof RegExp) {
    assert.equal(typeof actual, 'string', path)
    assert.match(actual as string, expected, path)
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), path)
    assert.equal((actual as unknown[]).length, expected.length, `${path}: ${JSON.stringify(actual)}`)
    expected.forEach((e, i) => matches((actual as unknown[])[i], e, `${path}[${i}]`))
  } else if (typeof expected === 'object' && expected !== null) {
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path}: ${JSON.stringify(actual)}`)
    for (const [k, e] of Object.entries(expected)) matches((actual as Record<string, unknown>)[k], e, `${path}.${k}`)
  } else {
    assert.equal(actual, expected, path)
  }
}

async function expectAnswer(h: Harness, body: BodyInit, status: number, json: Expect, headers: Record<string, string> = {}) {
  const res = await h.post(NET, body, headers)
  const got = (await res.json()) as unknown
  assert.equal(res.status, status, JSON.stringify(got))
  matches(got, json, 'body')
}

const rejected = (errors: Expect[]) => ({ accepted: 0, rejected: errors.length, errors, error: NO_VALID })

async function stillHealthy(h: Harness) {
  assert.equal((await h.relay.app.request('/healthz')).status, 200)
  const res = await h.post(NET, GOOD)
  assert.equal(res.status, 202)
  assert.deepEqual(await res.json(), { accepted: 1, rejected: 0, errors: [] })
}

/** A valid record of about `bytes` bytes on one line: 1000 unknown keys of short-enough strings. */
function bigRecord(bytes: number): string {
  const per = Math.ceil(bytes / 1000)
  const rec: Record<string, unknown> = { time: T }
  for (let i = 0; i < 1000; i++) rec[`k${i}`] = 'x'.repeat(per)
  return JSON.stringify(rec)
}

test('truncated JSON, NaN text, 1e400, 64-bit overflow and arrays where objects belong: 400 with the reason', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  await expectAnswer(h, `{"time": ${T}, "byte_tx"`, 400, rejected([{ line: 1, error: /^invalid JSON: / }]))
  await expectAnswer(h, `{"time": ${T}, "byte_tx": 1`, 400, rejected([{ line: 1, error: /^invalid JSON: / }]))
  await expectAnswer(h, `[{"time": ${T}},`, 400, { error: /^body is not valid JSON: / })
  await expectAnswer(h, '{"time": NaN}', 400, rejected([{ line: 1, error: /^invalid JSON: .*NaN/ }]))
  await expectAnswer(h, '{"time": "NaN"}', 400, rejected([{ field: 'time', error: 'expected an unsigned 32-bit integer, got "NaN"' }]))
  await expectAnswer(h, '{"time": 1e400}', 400, rejected([{ field: 'time', error: 'expected an unsigned 32-bit integer, got Infinity' }]))
  await expectAnswer(
    h,
    `{"time": ${T}, "rtt_max": -1e400}`,
    400,
    rejected([{ field: 'rtt_max', error: 'expected an unsigned 32-bit integer, got -Infinity' }]),
  )
  await expectAnswer(
    h,
    `{"time": ${T}, "byte_tx": 18446744073709551616}`,
    400,
    rejected([{ field: 'byte_tx', error: '"18446744073709551616" is out of range for an unsigned 64-bit integer' }]),
  )
  await expectAnswer(
    h,
    `{"time": ${T}, "server_port": 65536}`,
    400,
    rejected([{ field: 'server_port', error: '65536 is out of range for an unsigned 16-bit integer' }]),
  )
  await expectAnswer(
    h,
    `{"time": ${T}, "byte_tx": ${'9'.repeat(50_000)}}`,
    400,
    rejected([{ field: 'byte_tx', error: `"${'9'.repeat(60)}... is out of range for an unsigned 64-bit integer` }]),
  )
  await expectAnswer(
    h,
    '[[1, 2], 3, null]',
    400,
    rejected([
      { index: 0, error: 'expected a JSON object, got an array' },
      { index: 1, error: 'expected a JSON object, got 3' },
      { index: 2, error: 'expected a JSON object, got null' },
    ]),
  )
  await expectAnswer(h, `{"time": [${T}]}`, 400, rejected([{ field: 'time', error: `expected an unsigned 32-bit integer, got [${T}]` }]))
  await expectAnswer(h, `[${GOOD}]\n[${GOOD}]`, 400, { error: /^body is not valid JSON: / })
  await stillHealthy(h)
})

test('invalid UTF-8 is 400 naming the first bad byte, never replaced; a leading BOM is ignored', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const prefix = new TextEncoder().encode(`{"time":${T},"x":"`)
  const body = (...bad: number[]) => new Uint8Array([...prefix, ...bad, 0x22, 0x7d])
  const cases: [string, number[]][] = [
    ['0xff', [0xff]],
    ['overlong NUL', [0xc0, 0x80]],
    ['overlong slash', [0xe0, 0x80, 0xaf]],
    ['UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['truncated sequence', [0xe2, 0x82]],
    ['lone continuation', [0x80]],
  ]
  for (const [, bad] of cases) await expectAnswer(h, body(...bad), 400, { error: BAD_UTF8(prefix.length) })
  await expectAnswer(h, gzipSync(body(0xff)), 400, { error: BAD_UTF8(prefix.length) }, { 'Content-Encoding': 'gzip' })
  await expectAnswer(h, new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(GOOD)]), 202, {
    accepted: 1,
    rejected: 0,
    errors: [],
  })
  await expectAnswer(h, new Uint8Array([0xef, 0xbb, 0xbf]), 400, { error: EMPTY })
  // Valid UTF-8 of every width passes through.
  await expectAnswer(h, JSON.stringify({ time: T, x: 'é中😀' }), 202, { accepted: 1, rejected: 0, errors: [] })
  await stillHealthy(h)
})

test('empty bodies and bodies that are not JSON at all (XML, form data, scalars, binary): 400', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  await expectAnswer(h, '', 400, { error: EMPTY })
  await expectAnswer(h, ' \r\n\t ', 400, { error: EMPTY })
  await expectAnswer(h, '<?xml version="1.0"?><record time="1715133600"/>', 400, {
    error: NOT_JSON('<?xml version="1.0"?><record time="17151...'),
  })
  await expectAnswer(h, `time=${T}&byte_tx=1`, 400, { error: NOT_JSON(`time=${T}&byte_tx=1`) }, {
    'Content-Type': 'application/x-www-form-urlencoded',
  })
  const form = new FormData()
  form.set('time', String(T))
  await expectAnswer(h, form, 400, { error: /^body is not JSON or NDJSON: it starts with "-+/ })
  await expectAnswer(h, '"hello"', 400, { error: NOT_JSON('"hello"') })
  await expectAnswer(h, 'null', 400, { error: NOT_JSON('null') })
  await expectAnswer(h, '1e400', 400, { error: NOT_JSON('1e400') })
  await expectAnswer(h, new Uint8Array([0, 1, 2, 3]), 400, { error: NOT_JSON('\u0000\u0001\u0002\u0003') })
  await expectAnswer(h, `${GOOD}\u0000`, 400, rejected([{ line: 1, error: /^invalid JSON: / }]))
  await stillHealthy(h)
})

test('duplicate keys make a record ambiguous: rejected (400 when nothing else is valid), counted as duplicate_key', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  await expectAnswer(h, `{"time":${T},"byte_tx":1,"byte_tx":2}`, 400, rejected([{ field: 'byte_tx', error: AMBIGUOUS }]))
  await expectAnswer(h, `{"time":${T},"byte_tx":1,"byte\\u005ftx":2}`, 400, rejected([{ field: 'byte_tx', error: AMBIGUOUS }]))
  await expectAnswer(h, `{"time" : ${T}, "ip4" : "1.1.1.1", "time" : ${T}}`, 400, rejected([{ field: 'time', error: AMBIGUOUS }]))
  await expectAnswer(h, `${GOOD}\n{"time":${T},"ip6":"::1","ip6":"::2"}`, 202, {
    accepted: 1,
    rejected: 1,
    errors: [{ line: 2, field: 'ip6', error: AMBIGUOUS }],
  })
  await expectAnswer(h, `[${GOOD},{"time":${T},"a":{"x":1},"a":2},${GOOD}]`, 202, {
    accepted: 2,
    rejected: 1,
    errors: [{ index: 1, field: 'a', error: AMBIGUOUS }],
  })
  // Colons in strings and duplicates in nested values are not duplicates of the record.
  await expectAnswer(h, JSON.stringify({ time: T, mac: 'aa:bb:cc:dd:ee:ff', ip6: '::1', note: '"x":1,"x":2' }), 202, {
    accepted: 1,
    rejected: 0,
    errors: [],
  })
  await expectAnswer(h, `{"time":${T},"note":{"x":1,"x":2}}`, 202, { accepted: 1, rejected: 0, errors: [] })
  assert.equal(h.metric(`deepflow_relay_records_rejected_total{data_source="${NET}",reason="duplicate_key"}`), 5)
  await stillHealthy(h)
})

test('a 5 MB line is refused with 413 naming relay.max-line-bytes, before parsing; the same record in an array is fine', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const line = bigRecord(5_000_000)
  assert.ok(line.length > 5_000_000)
  await expectAnswer(h, line, 413, { error: LINE_LIMIT_OBJECT })
  await expectAnswer(h, `${line}\n`, 413, { error: LINE_LIMIT_OBJECT })
  await expectAnswer(h, line.slice(0, -10), 413, { error: LINE_LIMIT_OBJECT }) // truncated: a parse would say invalid JSON
  await expectAnswer(h, `${GOOD}\n${line}\n${GOOD}`, 413, {
    error: 'NDJSON line 2 is longer than the limit of 1048576 bytes (relay.max-line-bytes)',
  })
  await expectAnswer(h, JSON.stringify(JSON.parse(line), null, 1), 413, { error: LINE_LIMIT_OBJECT })
  assert.equal(h.metric(`deepflow_relay_records_received_total{data_source="${NET}"}`), 0)
  assert.equal(h.metric('deepflow_relay_ingest_requests_total{code="413"}'), 5)
  await expectAnswer(h, `[${line}]`, 202, { accepted: 1, rejected: 0, errors: [] })
  // Just under the limit, one line is a record.
  await expectAnswer(h, bigRecord(1_000_000), 202, { accepted: 1, rejected: 0, errors: [] })
  await stillHealthy(h)
})

test('deep nesting, too many fields and huge strings reject the record with its position and a reason', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`
  await expectAnswer(h, `{"time":${T},"a":${nested(15)}}`, 202, { accepted: 1, rejected: 0, errors: [] }) // 16 deep
  await expectAnswer(
    h,
    `{"time":${T},"a":${nested(16)}}`,
    400,
    rejected([{ field: 'a', error: 'nested deeper than the limit of 16 levels (relay.max-depth)' }]),
  )
  await expectAnswer(h, `${GOOD}\n{"time":${T},"deep":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`, 202, {
    accepted: 1,
    rejected: 1,
    errors: [{ line: 2, field: 'deep', error: 'nested deeper than the limit of 16 levels (relay.max-depth)' }],
  })
  await expectAnswer(h, nested(100_000), 400, rejected([{ index: 0, error: 'expected a JSON object, got an array' }]))
  const fields = (n: number) => JSON.stringify(Object.fromEntries([['time', T], ...Array.from({ length: n - 1 }, (_, i) => [`k${i}`, i])]))
  await expectAnswer(h, fields(1024), 202, { accepted: 1, rejected: 0, errors: [] })
  await expectAnswer(h, `[${GOOD},${fields(1025)}]`, 202, {
    accepted: 1,
    rejected: 1,
    errors: [{ index: 1, error: 'more than 1024 keys (relay.max-fields)' }],
  })
  await expectAnswer(h, fields(50_000), 400, rejected([{ error: 'more than 1024 keys (relay.max-fields)' }]))
  const str = (n: number) => JSON.stringify({ time: T, note: 'x'.repeat(n) })
  await expectAnswer(h, str(65536), 202, { accepted: 1, rejected: 0, errors: [] })
  await expectAnswer(
    h,
    str(65537),
    400,
    rejected([{ field: 'note', error: 'string longer than the limit of 65536 bytes (relay.max-string-bytes)' }]),
  )
  await expectAnswer(
    h,
    JSON.stringify({ time: T, note: '中'.repeat(30000) }),
    400,
    rejected([{ field: 'note', error: 'string longer than the limit of 65536 bytes (relay.max-string-bytes)' }]),
  )
  for (const [reason, n] of [['too_deep', 2], ['too_many_fields', 2], ['string_too_long', 2]] as const) {
    assert.equal(h.metric(`deepflow_relay_records_rejected_total{data_source="${NET}",reason="${reason}"}`), n, reason)
  }
  await stillHealthy(h)
})

test('limits come from relay: keys; too many records is 413 naming relay.max-records-per-request, nothing queued', async () => {
  const h = await startHarness(`relay:
  max-records-per-request: 3
  max-line-bytes: 200
  max-depth: 2
  max-fields: 4
  max-string-bytes: 8
${STDOUT_EXPORTER()}`)
  const error = 'body has more than 3 records (relay.max-records-per-request); send fewer records per request'
  await expectAnswer(h, [GOOD, GOOD, GOOD].join('\n'), 202, { accepted: 3, rejected: 0, errors: [] })
  await expectAnswer(h, [GOOD, GOOD, GOOD, GOOD].join('\n'), 413, { error })
  await expectAnswer(h, `[${[GOOD, GOOD, GOOD, GOOD].join(',')}]`, 413, { error })
  await expectAnswer(h, `{"time":${T},"s":"${'x'.repeat(200)}"}`, 413, {
    error: 'body is a single JSON object longer than the limit of 200 bytes (relay.max-line-bytes); send records as NDJSON or a JSON array',
  })
  await expectAnswer(
    h,
    `[{"time":${T},"a":[[1]]},{"time":${T},"a":1,"b":2,"c":3,"d":4},{"time":${T},"s":"123456789"}]`,
    400,
    rejected([
      { index: 0, field: 'a', error: 'nested deeper than the limit of 2 levels (relay.max-depth)' },
      { index: 1, error: 'more than 4 keys (relay.max-fields)' },
      { index: 2, field: 's', error: 'string longer than the limit of 8 bytes (relay.max-string-bytes)' },
    ]),
  )
  assert.equal(h.metric(`deepflow_relay_records_received_total{data_source="${NET}"}`), 3)
  await stillHealthy(h)
})

test('remote write is bounded by the same keys: samples per request (413), labels per series, label length', async () => {
  const h = await startHarness(`relay:
  max-records-per-request: 3
  max-fields: 6
  max-string-bytes: 24
exporters:
  - {protocol: prometheus, enabled: true, endpoints: ['http://127.0.0.1:9/api/v1/write'], data-sources: [flow_metrics.network.1s], export-fields: [$tag, $metrics]}
`)
  const series = (labels: Record<string, string>, samples = 1): TimeSeries => ({
    labels: Object.entries({ __name__: 'byte_tx', datasource: NET, ...labels }).map(([name, value]) => ({ name, value })),
    samples: Array.from({ length: samples }, (_, i) => ({ value: 1, timestamp: T * 1000 + i * 1000 })),
  })
  const write = async (list: TimeSeries[]) => {
    const res = await h.relay.app.request('/api/v1/write', {
      method: 'POST',
      body: compress(encodeWriteRequest(list)) as Uint8Array<ArrayBuffer>,
      headers: { 'Content-Encoding': 'snappy' },
    })
    return { status: res.status, json: res.status === 204 ? undefined : ((await res.json()) as unknown) }
  }
  assert.deepEqual(await write([series({ ip4: '10.1.2.3' }, 3)]), { status: 204, json: undefined }) // valid (routed nowhere: nothing to send)
  assert.deepEqual(await write([series({ ip4: '10.1.2.3' }, 2), series({ ip4: '10.1.2.4' }, 2)]), {
    status: 413,
    json: { error: 'request has more than 3 samples (relay.max-records-per-request); send fewer per request' },
  })
  assert.deepEqual(await write([series({ a: '1', b: '2', c: '3', d: '4', e: '5' }), series({ ip4: 'x'.repeat(25) })]), {
    status: 400,
    json: {
      accepted: 0,
      rejected: 2,
      error: 'no valid series in the request',
      errors: [
        { series: 0, error: 'more than 6 labels (relay.max-fields)' },
        { series: 1, field: 'ip4', error: 'label longer than the limit of 24 bytes (relay.max-string-bytes)' },
      ],
    },
  })
  assert.equal(h.metric(`deepflow_relay_remote_write_series_rejected_total{data_source="${NET}",reason="too_many_fields"}`), 1)
  assert.equal(h.metric(`deepflow_relay_remote_write_series_rejected_total{data_source="${NET}",reason="string_too_long"}`), 1)
  assert.equal((await h.relay.app.request('/healthz')).status, 200)
  await h.relay.stop()
})
