// Per-record limits (depth, keys, string bytes), duplicate-key detection and the body-level limits
// of parseBody (records per request, bytes per line or single object). Each protection has a test
// that fails without it.
import test from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { IngestLimits } from '../../src/config/types.ts'
import { DEFAULTS } from '../../src/config/defaults.ts'
import { checkRecord, findDuplicateKeys, keySeparatorBound, longerThan, utf8Length } from '../../src/record/limits.ts'
import { parseJsonLossless, quoteLongIntegers } from '../../src/record/lossless-json.ts'
import { parseBody, type ParsedBody } from '../../src/record/parse-body.ts'

const SEED = 20240508
console.log(`fast-check seed: ${SEED}`)

const LIMITS: IngestLimits = { maxRecordsPerRequest: 5, maxLineBytes: 100, maxDepth: 3, maxFields: 6, maxStringBytes: 10 }

function ok(p: ParsedBody) {
  assert.ok(p.ok, JSON.stringify(p))
  return p
}

test('the defaults are the documented ones', () => {
  assert.deepEqual(DEFAULTS.relay.limits, {
    maxRecordsPerRequest: 100_000,
    maxLineBytes: 1024 * 1024,
    maxDepth: 16,
    maxFields: 1024,
    maxStringBytes: 64 * 1024,
  })
})

test('utf8Length counts UTF-8 bytes (a lone surrogate as U+FFFD)', () => {
  for (const s of ['', 'abc', 'é', '中文', '😀', 'a😀b', '\ud800', '\udc00x', '\ud83d', 'x'.repeat(1000) + 'ü']) {
    assert.equal(utf8Length(s), new TextEncoder().encode(s).length, JSON.stringify(s))
  }
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => utf8Length(s) === new TextEncoder().encode(s).length), {
    seed: SEED,
    numRuns: 300,
  })
})

test('longerThan is exact at the limit, multi-byte characters counted as bytes', () => {
  assert.equal(longerThan('x'.repeat(10), 10), false)
  assert.equal(longerThan('x'.repeat(11), 10), true)
  assert.equal(longerThan('é'.repeat(5), 10), false) // 10 bytes
  assert.equal(longerThan('é'.repeat(5) + 'x', 10), true) // 6 characters, 11 bytes
  assert.equal(longerThan('中'.repeat(4), 11), true) // 4 characters, 12 bytes
  fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.nat(200), (s, max) => longerThan(s, max) === utf8Length(s) > max), {
    seed: SEED,
    numRuns: 300,
  })
})

test('checkRecord: a flat record within the limits gives its key count', () => {
  assert.equal(checkRecord({ a: 1, b: 'x'.repeat(10), c: null, d: true }, LIMITS), 4)
  assert.equal(checkRecord({}, LIMITS), 0)
  assert.equal(checkRecord([{ a: 1 }], LIMITS), 0) // not a record: for the normaliser to refuse
  assert.equal(checkRecord('x'.repeat(1000), LIMITS), 0)
})

test('checkRecord: depth counts the record as 1; deeper than max-depth is too_deep, naming the top-level key', () => {
  assert.equal(checkRecord({ a: [[1]] }, LIMITS), 1) // 3 deep
  assert.deepEqual(checkRecord({ a: 1, b: [[[1]]] }, LIMITS), {
    reason: 'too_deep',
    field: 'b',
    error: 'nested deeper than the limit of 3 levels (relay.max-depth)',
  })
  assert.deepEqual(checkRecord({ a: { b: { c: {} } } }, LIMITS), {
    reason: 'too_deep',
    field: 'a',
    error: 'nested deeper than the limit of 3 levels (relay.max-depth)',
  })
  assert.equal(checkRecord({ a: { b: { c: 1 } } }, LIMITS), 3)
  // Far deeper than the call stack would allow recursively: the walk is iterative.
  let deep: unknown = 1
  for (let i = 0; i < 100_000; i++) deep = [deep]
  assert.equal(checkRecord({ a: deep }, { ...LIMITS, maxDepth: 1_000_000 }) as number, 1)
  assert.equal((checkRecord({ a: deep }, LIMITS) as { reason: string }).reason, 'too_deep')
})

test('checkRecord: more keys than max-fields (nested objects included) is too_many_fields', () => {
  const six = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, i]))
  assert.equal(checkRecord(six, LIMITS), 6)
  assert.deepEqual(checkRecord({ ...six, k6: 6 }, LIMITS), { reason: 'too_many_fields', error: 'more than 6 keys (relay.max-fields)' })
  assert.equal((checkRecord({ a: 1, b: { c: 1, d: 2, e: 3, f: 4, g: 5 } }, LIMITS) as { reason: string }).reason, 'too_many_fields')
})

test('checkRecord: a string (value, array element or key) over max-string-bytes is string_too_long, naming the field', () => {
  const error = 'string longer than the limit of 10 bytes (relay.max-string-bytes)'
  assert.deepEqual(checkRecord({ a: 1, name: 'x'.repeat(11) }, LIMITS), { reason: 'string_too_long', field: 'name', error })
  assert.deepEqual(checkRecord({ name: 'é'.repeat(6) }, LIMITS), { reason: 'string_too_long', field: 'name', error }) // 6 characters, 12 bytes
  assert.deepEqual(checkRecord({ list: ['ok', 'y'.repeat(11)] }, LIMITS), { reason: 'string_too_long', field: 'list', error })
  assert.deepEqual(checkRecord({ obj: { ['k'.repeat(11)]: 1 } }, LIMITS), { reason: 'string_too_long', field: 'obj', error })
  assert.deepEqual(checkRecord({ ['k'.repeat(11)]: 1 }, LIMITS), { reason: 'string_too_long', field: 'kkkkkkkkkkk', error })
  assert.equal((checkRecord({ ['k'.repeat(100)]: 1 }, LIMITS) as { field: string }).field, `${'k'.repeat(61)}...`)
})

const countKeys = (v: unknown): number =>
  typeof v !== 'object' || v === null
    ? 0
    : Array.isArray(v)
    ? v.reduce((n: number, x) => n + countKeys(x), 0)
    : Object.entries(v).reduce((n, [, x]) => n + 1 + countKeys(x), 0)

test('keySeparatorBound is never below the number of keys in the text, whatever the spacing and string contents', () => {
  assert.equal(keySeparatorBound('{"a":1,"b" :\n"c:d","e":"::1"}'), 4) // "::1" counts once too: a looser bound only
  fc.assert(
    fc.property(
      fc.jsonValue(),
      fc.constantFrom(undefined, 1, '\t', ' \n '),
      (v, space) => keySeparatorBound(JSON.stringify(v, null, space)) >= countKeys(v),
    ),
    { seed: SEED, numRuns: 500 },
  )
})

/** A record's text written from [key, value] pairs (keys may repeat), spacing and escapes varied. */
function writeRecord(pairs: [string, unknown][], escapeKeys: boolean, space: string): string {
  const key = (
    k: string,
  ) => (escapeKeys
    ? `"${[...Array(k.length).keys()].map((i) => `\\u${k.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`
    : JSON.stringify(k))
  return `{${pairs.map(([k, v]) => `${space}${key(k)}${space}:${space}${JSON.stringify(v)}`).join(`,${space}`)}${space}}`
}

function firstRepeat(pairs: [string, unknown][]): string | undefined {
  const seen = new Set<string>()
  for (const [k] of pairs) {
    if (seen.has(k)) return k
    seen.add(k)
  }
  return undefined
}

const pairsArb = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom('a', 'b', 'time', '"', '\\', ':', '__proto__', 'a"b'), fc.string({ unit: 'binary', maxLength: 4 })),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  { maxLength: 8 },
)

test('findDuplicateKeys finds the first repeated key of a record, as JSON.parse reads keys', () => {
  fc.assert(
    fc.property(pairsArb, fc.boolean(), fc.constantFrom('', ' ', '\n\t'), (pairs, escape, space) => {
      const text = writeRecord(pairs, escape, space)
      JSON.parse(text) // valid JSON
      assert.equal(findDuplicateKeys(text, 1).get(0), firstRepeat(pairs), text)
    }),
    { seed: SEED, numRuns: 500 },
  )
  assert.equal(findDuplicateKeys('{"a":1,"\\u0061":2}', 1).get(0), 'a')
  assert.equal(findDuplicateKeys('{"a\\\\":{"a\\\\":1},"b":"\\\\","a\\\\":2}', 1).get(0), 'a\\')
  assert.equal(findDuplicateKeys('{"a":{"b":1,"b":2}}', 1).size, 0) // nested objects are not records
})

test('findDuplicateKeys indexes the records of an array body from 0, skipping nothing', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(pairsArb.map((p) => ({ p })), fc.jsonValue({ maxDepth: 2 }).map((v) => ({ v }))), { maxLength: 6 }),
      (elements) => {
        const text = `[${elements.map((e) => ('p' in e ? writeRecord(e.p, false, '') : JSON.stringify(e.v))).join(',')}]`
        const expected = new Map<number, string>()
        elements.forEach((e, i) => {
          const d = 'p' in e ? firstRepeat(e.p) : undefined
          if (d !== undefined) expected.set(i, d)
        })
        assert.deepEqual(findDuplicateKeys(text, 2), expected, text)
      },
    ),
    { seed: SEED, numRuns: 300 },
  )
})

test('parseBody: a record with a duplicate key is an error of its own (duplicate_key), the others stay', () => {
  const error = 'key given more than once in the record: ambiguous'
  assert.deepEqual(ok(parseBody('{"a":1,"a":2}', LIMITS)), {
    ok: true,
    candidates: [],
    errors: [{ position: {}, reason: 'duplicate_key', field: 'a', error }],
  })
  const nd = ok(parseBody('{"a":1}\n{"b":1, "b" :2}\n{"c":"x:y"}', LIMITS))
  assert.deepEqual(nd.candidates.map((c) => c.position), [{ line: 1 }, { line: 3 }])
  assert.deepEqual(nd.errors, [{ position: { line: 2 }, reason: 'duplicate_key', field: 'b', error }])
  const arr = ok(parseBody('[{"a":1},{"a":1,"\\u0061":2},{"a":{"b":1}}]', LIMITS))
  assert.deepEqual(arr.candidates.map((c) => c.position), [{ index: 0 }, { index: 2 }])
  assert.deepEqual(arr.errors, [{ position: { index: 1 }, reason: 'duplicate_key', field: 'a', error }])
})

test('parseBody: depth, key and string violations are per-record errors with their reason and position', () => {
  const p = ok(parseBody('{"a":1}\n{"a":[[[1]]]}\n{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6}\n{"s":"12345678901"}', LIMITS))
  assert.deepEqual(p.candidates.map((c) => c.position), [{ line: 1 }])
  assert.deepEqual(p.errors.map((e) => [e.position, e.reason, e.field]), [
    [{ line: 2 }, 'too_deep', 'a'],
    [{ line: 3 }, 'too_many_fields', undefined],
    [{ line: 4 }, 'string_too_long', 's'],
  ])
})

test('parseBody: an NDJSON line over max-line-bytes refuses the body (413) before it is parsed', () => {
  const fits = `{"s":"${'x'.repeat(92)}"}` // exactly 100 bytes
  assert.equal(fits.length, 100)
  ok(parseBody(`${fits}\n${fits}`, { ...LIMITS, maxStringBytes: 1000 }))
  // An invalid line: were it parsed first, it would be an "invalid JSON" record error, not a 413.
  const long = `{"s":"${'x'.repeat(200)}`
  assert.deepEqual(parseBody(`{"a":1}\n\n${long}\n{"a":2}`, LIMITS), {
    ok: false,
    status: 413,
    error: 'NDJSON line 3 is longer than the limit of 100 bytes (relay.max-line-bytes)',
  })
  // Bytes, not characters: 50 × "é" is 100 bytes of string in a 108-byte line.
  assert.equal(parseBody(`{"a":1}\n{"s":"${'é'.repeat(50)}"}`, LIMITS).ok, false)
})

test('parseBody: a single-object body over max-line-bytes is 413, one line or pretty-printed; a JSON array is not bound by it', () => {
  const error =
    'body is a single JSON object longer than the limit of 100 bytes (relay.max-line-bytes); send records as NDJSON or a JSON array'
  const big = { s: 'x'.repeat(60), t: 'y'.repeat(60) }
  const limits = { ...LIMITS, maxStringBytes: 1000 }
  assert.deepEqual(parseBody(JSON.stringify(big), limits), { ok: false, status: 413, error })
  assert.deepEqual(parseBody(`\n\n  ${JSON.stringify(big)}\n\n`, limits), { ok: false, status: 413, error })
  assert.deepEqual(parseBody(JSON.stringify(big, null, 2), limits), { ok: false, status: 413, error })
  assert.deepEqual(parseBody(`{"s":"${'x'.repeat(5_000_000)}`, limits), { ok: false, status: 413, error }) // truncated too: never parsed
  assert.equal(ok(parseBody(JSON.stringify([big, big]), limits)).candidates.length, 2)
  // At the limit exactly, a single object is fine.
  assert.equal(ok(parseBody(`{"s":"${'x'.repeat(92)}"}`, limits)).candidates.length, 1)
})

test('parseBody: more records than max-records-per-request refuse the body (413); blank lines do not count', () => {
  const error = 'body has more than 5 records (relay.max-records-per-request); send fewer records per request'
  const five = Array.from({ length: 5 }, (_, i) => `{"a":${i}}`)
  assert.equal(ok(parseBody(five.join('\n\n\n'), LIMITS)).candidates.length, 5)
  assert.deepEqual(parseBody([...five, '{"a":5}'].join('\n'), LIMITS), { ok: false, status: 413, error })
  assert.deepEqual(parseBody([...five, 'not json'].join('\n'), LIMITS), { ok: false, status: 413, error }) // invalid lines are records too
  assert.equal(ok(parseBody(`[${five.join(',')}]`, LIMITS)).candidates.length, 5)
  assert.deepEqual(parseBody(`[${[...five, '1'].join(',')}]`, LIMITS), { ok: false, status: 413, error })
})

test('parseBody: a leading BOM is ignored; other bodies keep their 400s', () => {
  assert.equal(ok(parseBody('\ufeff{"a":1}', LIMITS)).candidates.length, 1)
  assert.deepEqual(parseBody('\ufeff', LIMITS), {
    ok: false,
    status: 400,
    error: 'empty body: send a JSON object, a JSON array of objects, or NDJSON',
  })
  assert.equal((parseBody('<xml/>', LIMITS) as { status: number }).status, 400)
})

test('long-integer quoting never turns invalid JSON into valid JSON', () => {
  assert.equal(quoteLongIntegers('{"a":01234567890123456}'), '{"a":01234567890123456}')
  assert.equal(quoteLongIntegers('{12345678901234567 :1}'), '{12345678901234567 :1}')
  assert.throws(() => parseJsonLossless('{"a":01234567890123456}'))
  assert.throws(() => parseJsonLossless('{12345678901234567:1}'))
  assert.deepEqual(parseJsonLossless('{"a":-12345678901234567,"b":[12345678901234567]}'), {
    a: '-12345678901234567',
    b: ['12345678901234567'],
  })
})
