// JSON escaping of every string and every array element (Q10 fix): quote, backslash, control
// characters (\n \t \r \b \f, others as \u00XX), non-ASCII written as is.
import test from 'node:test'
import assert from 'node:assert/strict'
import { dictionaryFrom, encodeOne } from '../../helpers/encode.ts'
import { T, TS_UTC } from './fixtures.ts'

const L7 = 'flow_log.l7_flow_log'
const want = (ds: string, body: string) => `{"datasource":"${ds}",${body},"time_str":"${TS_UTC}"}`
const pick = (ds: string, fields: string, record: object) => encodeOne(`export-fields: [${fields}]`, ds, record)
const NASTY = 'a"b\\c\nd\te\u0001f😀g\r\b\fh\u001fé'
// (No String.raw around non-ASCII: Bun's transpiler rewrites it to \u{...} inside raw templates.)
const NASTY_JSON = 'a\\"b\\\\c\\nd\\te\\u0001f😀g\\r\\b\\fh\\u001fé'

test('string tag with quote, backslash, newline, tab, U+0001, emoji, CR/BS/FF, U+001F, accent', () => {
  const record = { request_resource: NASTY, time: T, end_time: 1715133600000000 }
  assert.equal(pick(L7, 'request_resource', record), want(L7, `"request_resource":"${NASTY_JSON}"`))
  const line = pick(L7, 'request_resource', record)!
  assert.equal((JSON.parse(line) as Record<string, unknown>).request_resource, NASTY)
})

test('string arrays attribute_names/attribute_values with quotes and backslashes', () => {
  const record = { attribute_names: ['k"1', 'k\\2', 'k,3]'], attribute_values: ['v\n', '😀', '"'], time: T, end_time: 1715133600000000 }
  assert.equal(
    pick(L7, 'attribute_names, attribute_values', record),
    want(L7, '"attribute_names":["k\\"1","k\\\\2","k,3]"],"attribute_values":["v\\n","😀","\\""]'),
  )
})

test('metrics_names elements escaped', () => {
  const record = { metrics_names: ['a"b', 'tab\there'], metrics_values: [1, 2], time: T, end_time: 1715133600000000 }
  assert.equal(
    pick(L7, 'metrics_names, metrics_values', record),
    want(L7, String.raw`"metrics_names":["a\"b","tab\there"],"metrics_values":[1,2]`),
  )
})

test('strings in other sources: event file_name / attribute arrays, application endpoint', () => {
  const ev = 'event.file_event'
  assert.equal(
    pick(ev, 'attribute_names, file_name', {
      time: T,
      end_time: 1715133600000000,
      attribute_names: ['"x"'],
      file_name: 'C:\\tmp\\a "b".txt',
    }),
    want(ev, String.raw`"attribute_names":["\"x\""],"file_name":"C:\\tmp\\a \"b\".txt"`),
  )
  const app = 'flow_metrics.application.1m'
  assert.equal(pick(app, 'endpoint', { time: T, endpoint: '/q?a="1"&b=\\' }), want(app, String.raw`"endpoint":"/q?a=\"1\"&b=\\"`))
})

test('unknown enum string kept raw is escaped as well', () => {
  assert.equal(
    pick(L7, 'observation_point', { observation_point: 'x"y', time: T, end_time: 1715133600000000 }),
    want(L7, String.raw`"observation_point":"x\"y"`),
  )
})

test('names from the dictionary are escaped', () => {
  const dictionary = dictionaryFrom({ pod: { '1': 'pod "one"\\' } })
  const ds = 'flow_metrics.network.1m'
  assert.equal(
    encodeOne('export-fields: [pod_id]', ds, { time: T, pod_id: 1 }, { dictionary }),
    want(ds, String.raw`"pod":"pod \"one\"\\"`),
  )
})
