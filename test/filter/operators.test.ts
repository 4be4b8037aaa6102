// Every tag-filter operator on a string field and on a numeric field of flow_log.l7_flow_log,
// through the exporter's real plan (encodeOne returns null when the filters drop the record).
// Operator names are case-insensitive (DeepFlow lowercases them).
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne, exporterFromYaml } from '../helpers/encode.ts'

const L7 = 'flow_log.l7_flow_log'
const RECORD = { time: 1715133600, end_time: 1715133600000000, request_domain: 'api.example.com', l7_protocol: 20 }

/** true when a single legacy filter keeps RECORD. */
function keeps(field: string, operator: string, values: readonly string[]): boolean {
  const filter = JSON.stringify({ 'field-name': field, operator, 'field-values': values })
  return encodeOne(`export-fields: [$tag]\ntag-filters: [${filter}]`, L7, RECORD) !== null
}

test('a kept record is encoded as its JSON line', () => {
  assert.equal(
    encodeOne(
      'export-fields: [request_domain, l7_protocol]\ntag-filters: [{field-name: l7_protocol, operator: "=", field-values: ["20"]}]',
      L7,
      RECORD,
    ),
    '{"datasource":"flow_log.l7_flow_log","l7_protocol":"HTTP","request_domain":"api.example.com","time_str":"2024-05-08 02:00:00 +0000 UTC"}',
  )
})

test('= keeps an equal string and drops a different one', () => {
  assert.equal(keeps('request_domain', '=', ['api.example.com']), true)
  assert.equal(keeps('request_domain', '=', ['www.example.com']), false)
})

test('= keeps an equal number and drops a different one', () => {
  assert.equal(keeps('l7_protocol', '=', ['20']), true)
  assert.equal(keeps('l7_protocol', '=', ['21']), false)
})

test('!= drops an equal string and keeps a different one', () => {
  assert.equal(keeps('request_domain', '!=', ['api.example.com']), false)
  assert.equal(keeps('request_domain', '!=', ['www.example.com']), true)
})

test('!= drops an equal number and keeps a different one', () => {
  assert.equal(keeps('l7_protocol', '!=', ['20']), false)
  assert.equal(keeps('l7_protocol', '!=', ['21']), true)
})

test('in keeps when any value equals, drops when none does', () => {
  assert.equal(keeps('request_domain', 'in', ['a', 'api.example.com']), true)
  assert.equal(keeps('request_domain', 'in', ['a', 'b']), false)
  assert.equal(keeps('l7_protocol', 'in', ['21', '20']), true)
  assert.equal(keeps('l7_protocol', 'in', ['21', '22']), false)
})

test('not in drops when any value equals, keeps when none does', () => {
  assert.equal(keeps('request_domain', 'not in', ['a', 'api.example.com']), false)
  assert.equal(keeps('request_domain', 'not in', ['a', 'b']), true)
  assert.equal(keeps('l7_protocol', 'not in', ['21', '20']), false)
  assert.equal(keeps('l7_protocol', 'not in', ['21', '22']), true)
})

test(': is a wildcard match on strings', () => {
  assert.equal(keeps('request_domain', ':', ['*.example.com']), true)
  assert.equal(keeps('request_domain', ':', ['*.example.org']), false)
})

test('!: is a negated wildcard match on strings', () => {
  assert.equal(keeps('request_domain', '!:', ['*.example.com']), false)
  assert.equal(keeps('request_domain', '!:', ['*.example.org']), true)
})

test('~ is a regex match on strings', () => {
  assert.equal(keeps('request_domain', '~', ['^api\\.']), true)
  assert.equal(keeps('request_domain', '~', ['^www\\.']), false)
})

test('!~ is a negated regex match on strings', () => {
  assert.equal(keeps('request_domain', '!~', ['^api\\.']), false)
  assert.equal(keeps('request_domain', '!~', ['^www\\.']), true)
})

test('operator names are case-insensitive: IN, Not In, NOT IN', () => {
  assert.equal(keeps('l7_protocol', 'IN', ['20']), true)
  assert.equal(keeps('l7_protocol', 'IN', ['21']), false)
  assert.equal(keeps('l7_protocol', 'Not In', ['20']), false)
  assert.equal(keeps('l7_protocol', 'Not In', ['21']), true)
  assert.equal(keeps('request_domain', 'NOT IN', ['api.example.com']), false)
})

test('operator names are stored lowercased in the parsed config', () => {
  const e = exporterFromYaml(`data-sources: [${L7}]
export-fields: [$tag]
tag-filters:
  - {field-name: l7_protocol, operator: Not In, field-values: [20]}
  - {field-name: l7_protocol, operator: IN, field-values: [20]}
  - {field-name: request_domain, operator: "!~", field-values: [x]}`)
  assert.deepEqual(e.tagFilters, [
    { fieldName: 'l7_protocol', operator: 'not in', fieldValues: ['20'] },
    { fieldName: 'l7_protocol', operator: 'in', fieldValues: ['20'] },
    { fieldName: 'request_domain', operator: '!~', fieldValues: ['x'] },
  ])
})
