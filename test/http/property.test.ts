// Property: whatever body arrives at POST /v1/records/{ds} — arbitrary strings, JSON values, bytes
// (invalid UTF-8 included), records of real field names with arbitrary values, mutated valid bodies,
// gzip or not — the relay answers 202 or a 4xx with a JSON error naming the problem: never a 500,
// never an unhandled rejection. Run against tight limits (so that every limit is hit) and the
// defaults. The seed is fixed and printed; FC_SEED=n reruns with another.
import test from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { dataSource } from '../../src/deepflow/schema.ts'
import { type Harness, startHarness, STDOUT_EXPORTER } from '../helpers/relay-harness.ts'

const SEED = Number(process.env.FC_SEED ?? 1715133600)
console.log(`fast-check seed: ${SEED} (FC_SEED=n to change)`)

const NET = 'flow_metrics.network.1m'
const T = 1715133600
const FIELDS = dataSource(NET)!.fields.flatMap((f) => [f.name, f.filterName])

const VALID = [
  JSON.stringify({ time: T, byte_tx: 10, ip4: '10.1.2.3', mac: 'aa:bb:cc:dd:ee:ff', server_port: 443, l7_protocol: 20 }),
  JSON.stringify({ time: T, packet_rx: '18446744073709551615', ip6: '::1', rtt_max: 7 }),
]

/** Raw JSON text of a value: JSON values, and literals JSON.stringify never writes. */
const valueText = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.double().map((d) => (Number.isFinite(d) ? String(d) : d > 0 ? '1e400' : '-1e400')),
  fc.constantFrom(
    '1e400',
    '-0',
    '1E-400',
    'NaN',
    '18446744073709551616',
    '"NaN"',
    '"1.2.3.4"',
    '"::1"',
    '"aa:bb:cc:dd:ee:ff"',
    '"2024-05-08 02:00:00"',
  ),
  fc.constantFrom(
    '[[[1]]]',
    '{"a":{"b":{"c":1}}}',
    '[[[[[[1]]]]]]',
    `"${'x'.repeat(50)}"`,
    `["${'é'.repeat(30)}"]`,
    `"${'x'.repeat(300)}"`,
  ),
)

/** Pairs valid for network.1m: so that records are accepted often enough. */
const validPair = fc.constantFrom<[string, string]>(
  ['byte_tx', '10'],
  ['ip4', '"10.1.2.3"'],
  ['server_port', '443'],
  ['mac', '"aa:bb:cc:dd:ee:ff"'],
  ['packet_rx', '"18446744073709551615"'],
  ['l7_protocol', '20'],
  ['ip6', '"::1"'],
  ['rtt_max', '7'],
)

/** A record's text from [key, value] pairs: keys may repeat, `time` usually present. */
const recordText = fc
  .tuple(
    fc.option(fc.constantFrom(String(T), `"${T}"`, '"2024-05-08 02:00:00"', '0', '-1'), { nil: undefined }),
    fc.array(
      fc.oneof({ arbitrary: validPair, weight: 3 }, fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 6 })), valueText)),
      { maxLength: 12 },
    ),
    fc.constantFrom('', ' ', '\n'),
  )
  .map(([time, pairs, space]) => {
    const all = time === undefined ? pairs : [['time', time] as [string, string], ...pairs]
    return `{${all.map(([k, v]) => `${JSON.stringify(k)}:${space === '\n' ? ' ' : space}${v}`).join(',')}}`
  })

const jsonish = fc.string({ unit: fc.constantFrom(...'{}[]":,0123456789eE.-+ \n\r\t\\utfnlasx\u00e9\ufeff'.split('')), maxLength: 80 })

const textBody = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 100 }),
  jsonish,
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 6 }).map((vs) => vs.map((v) => JSON.stringify(v)).join('\n')),
  { arbitrary: recordText, weight: 3 },
  { arbitrary: fc.array(recordText, { maxLength: 8 }).map((rs) => rs.join('\n')), weight: 3 },
  { arbitrary: fc.array(recordText, { maxLength: 8 }).map((rs) => `[${rs.join(',')}]`), weight: 2 },
  fc.array(fc.constantFrom(...VALID), { minLength: 1, maxLength: 8 }).map((rs) => rs.join('\n')),
)

type Mutation = { kind: 'delete' | 'insert' | 'replace' | 'copy'; at: number; len: number; bytes: Uint8Array }
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'replace', 'copy'),
  at: fc.nat(),
  len: fc.nat(24),
  bytes: fc.oneof(fc.uint8Array({ maxLength: 6 }), jsonish.map((s) => new TextEncoder().encode(s.slice(0, 6)))),
})

function mutate(input: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = input
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1)
    const end = Math.min(b.length, at + m.len)
    if (m.kind === 'delete') b = new Uint8Array([...b.subarray(0, at), ...b.subarray(end)])
    else if (m.kind === 'insert') b = new Uint8Array([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)])
    else if (m.kind === 'replace') b = new Uint8Array([...b.subarray(0, at), ...m.bytes, ...b.subarray(at + m.bytes.length)])
    else b = new Uint8Array([...b.subarray(0, end), ...b.subarray(at, end), ...b.subarray(end)]) // repeat a slice (a key, say)
  }
  return b
}

const bytesBody = fc.oneof(
  { arbitrary: textBody.map((s) => new TextEncoder().encode(s)), weight: 5 },
  { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 },
  {
    arbitrary: fc.tuple(textBody.map((s) => new TextEncoder().encode(s)), fc.array(mutation, { minLength: 1, maxLength: 4 })).map((
      [b, ms],
    ) => mutate(b, ms)),
    weight: 3,
  },
)

/** How the body is sent: as is, gzipped, claimed gzip but not, or an unsupported encoding. */
const request = fc.tuple(bytesBody, fc.constantFrom(...Array<string>(12).fill('identity'), 'gzip', 'gzip', 'fake-gzip', 'br')).map(
  ([bytes, enc]) => {
    if (enc === 'gzip') return { body: new Uint8Array(gzipSync(bytes)), headers: { 'Content-Encoding': 'gzip' } }
    if (enc === 'fake-gzip') return { body: bytes, headers: { 'Content-Encoding': 'gzip' } }
    if (enc === 'br') return { body: bytes, headers: { 'Content-Encoding': 'br' } }
    return { body: bytes, headers: {} as Record<string, string> }
  },
)

function nonEmptyString(x: unknown, what: string): void {
  assert.equal(typeof x, 'string', what)
  assert.ok((x as string).length > 0, what)
}

async function checkAnswer(h: Harness, body: Uint8Array, headers: Record<string, string>): Promise<void> {
  const res = await h.post(NET, body as Uint8Array<ArrayBuffer>, headers)
  const text = await res.text()
  const json = JSON.parse(text) as Record<string, unknown> // always a JSON body
  assert.ok(res.status === 202 || (res.status >= 400 && res.status < 500), `status ${res.status}: ${text}`)
  if (res.status === 202) {
    assert.ok(Number.isInteger(json.accepted) && (json.accepted as number) >= 1, text)
  } else {
    nonEmptyString(json.error, `error of ${res.status}: ${text}`)
  }
  if (json.errors !== undefined) {
    assert.ok(Array.isArray(json.errors), text)
    assert.equal(json.errors.length, Math.min(json.rejected as number, 100), text)
    for (const e of json.errors as Record<string, unknown>[]) {
      nonEmptyString(e.error, `record error: ${text}`)
      if (e.field !== undefined) assert.equal(typeof e.field, 'string', `record error field: ${text}`) // "" is a key too
    }
  }
}

test('any body gets 202 or a 4xx with a JSON error; never a crash or an unhandled rejection', async () => {
  const unhandled: unknown[] = []
  const onUnhandled = (err: unknown) => unhandled.push(err)
  process.on('unhandledRejection', onUnhandled)
  try {
    const tight = await startHarness(`relay:
  max-records-per-request: 5
  max-line-bytes: 300
  max-depth: 3
  max-fields: 8
  max-string-bytes: 40
${STDOUT_EXPORTER()}`)
    const defaults = await startHarness(STDOUT_EXPORTER())
    await fc.assert(
      fc.asyncProperty(request, async ({ body, headers }) => {
        await checkAnswer(tight, body, headers)
        await checkAnswer(defaults, body, headers)
      }),
      { seed: SEED, numRuns: 400 },
    )
    for (const h of [tight, defaults]) {
      assert.equal((await h.relay.app.request('/healthz')).status, 200)
      assert.equal((await h.post(NET, VALID[0]!)).status, 202)
      assert.equal(h.metric('deepflow_relay_ingest_requests_total{code="500"}'), undefined)
      assert.deepEqual(h.logs.filter((l) => l.msg === 'request failed'), [])
      await h.relay.stop()
    }
    await new Promise((r) => setTimeout(r, 10)) // let any stray rejection surface
    assert.deepEqual(unhandled, [])
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
})
