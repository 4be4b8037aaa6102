// A field absent from the record: nullable fields (schema.json `nullable`) and ip6 fields are nil
// in DeepFlow and match every filter; any other field is tested as Go's zero value (0 or "").
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../helpers/encode.ts'
import { dataSource } from '../../src/deepflow/schema.ts'

const L7 = 'flow_log.l7_flow_log'
const NETWORK_MAP = 'flow_metrics.network_map.1m'
const L7_RECORD = { time: 1715133600, end_time: 1715133600000000 }
const MAP_RECORD = { time: 1715133600 }

function keeps(ds: string, record: object, field: string, operator: string, values: readonly string[]): boolean {
  const filter = JSON.stringify({ 'field-name': field, operator, 'field-values': values })
  return encodeOne(`export-fields: [$tag]\ntag-filters: [${filter}]`, ds, record) !== null
}
const OPERATORS = ['=', '!=', 'in', 'not in', ':', '!:', '~', '!~'] as const

test('schema: response_code, request_id, span_kind, request_length are nullable; l7_protocol is not', () => {
  const ds = dataSource(L7)!
  const nullable = ds.fields.filter((f) => f.nullable).map((f) => f.name)
  assert.deepEqual(nullable, ['request_id', 'response_code', 'span_kind', 'request_length', 'response_length', 'sql_affected_rows'])
})

test('an absent nullable field (response_code) matches every operator', () => {
  for (const op of OPERATORS) {
    assert.equal(keeps(L7, L7_RECORD, 'response_code', op, ['200']), true, op)
    assert.equal(keeps(L7, L7_RECORD, 'response_code', op, ['0']), true, op)
  }
})

test('a present nullable field is tested normally', () => {
  const record = { ...L7_RECORD, response_code: 404 }
  assert.equal(keeps(L7, record, 'response_code', '=', ['200']), false)
  assert.equal(keeps(L7, record, 'response_code', '=', ['404']), true)
  assert.equal(keeps(L7, record, 'response_code', '!=', ['404']), false)
})

test('a nullable field given as JSON null is absent and matches', () => {
  assert.equal(keeps(L7, { ...L7_RECORD, response_code: null }, 'response_code', '=', ['200']), true)
  assert.equal(keeps(L7, { ...L7_RECORD, response_code: null }, 'response_code', '!=', ['0']), true)
})

test('an absent ip6 field matches every operator (L7 ip6_0)', () => {
  for (const op of OPERATORS) {
    assert.equal(keeps(L7, L7_RECORD, 'ip6_0', op, ['::1']), true, op)
    assert.equal(keeps(L7, L7_RECORD, 'ip6_1', op, ['']), true, op)
  }
})

test('an absent ip6 field matches every operator (network_map ip6, the json name)', () => {
  for (const op of OPERATORS) assert.equal(keeps(NETWORK_MAP, MAP_RECORD, 'ip6', op, ['::1']), true, op)
})

test('an absent numeric field is tested as 0', () => {
  assert.equal(keeps(L7, L7_RECORD, 'l7_protocol', '=', ['0']), true)
  assert.equal(keeps(L7, L7_RECORD, 'l7_protocol', '=', ['20']), false)
  assert.equal(keeps(L7, L7_RECORD, 'l7_protocol', '!=', ['0']), false)
  assert.equal(keeps(L7, L7_RECORD, 'l7_protocol', 'not in', ['20']), true)
  assert.equal(keeps(L7, L7_RECORD, 'l7_protocol', '~', ['^20$']), true)
})

test('an absent string field is tested as ""', () => {
  assert.equal(keeps(L7, L7_RECORD, 'request_domain', '=', ['']), true)
  assert.equal(keeps(L7, L7_RECORD, 'request_domain', '!=', ['']), false)
  assert.equal(keeps(L7, L7_RECORD, 'request_domain', '=', ['x']), false)
  assert.equal(keeps(L7, L7_RECORD, 'request_domain', '~', ['^$']), true)
  assert.equal(keeps(L7, L7_RECORD, 'request_domain', '~', ['.']), false)
  assert.equal(keeps(L7, L7_RECORD, 'request_domain', ':', ['*']), true)
  assert.equal(keeps(L7, L7_RECORD, 'request_domain', '!~', ['.']), true)
})

test('an absent ip4 field is tested as 0, i.e. 0.0.0.0', () => {
  assert.equal(keeps(L7, L7_RECORD, 'ip4_0', '=', ['0']), true)
  assert.equal(keeps(L7, L7_RECORD, 'ip4_0', '=', ['0.0.0.0']), true)
  assert.equal(keeps(L7, L7_RECORD, 'ip4_0', '=', ['10.1.2.3']), false)
  assert.equal(keeps(L7, L7_RECORD, 'ip4_0', '!=', ['0']), false)
})

test('an absent map-source field is tested as 0 (network_map pod_id)', () => {
  assert.equal(keeps(NETWORK_MAP, MAP_RECORD, 'pod_id', '=', ['0']), true)
  assert.equal(keeps(NETWORK_MAP, MAP_RECORD, 'pod_id', '=', ['5']), false)
  assert.equal(keeps(NETWORK_MAP, MAP_RECORD, 'pod_id', '!=', ['0']), false)
})

test('an absent bool field is tested as 0', () => {
  assert.equal(keeps(L7, L7_RECORD, 'is_ipv4', '=', ['0']), true)
  assert.equal(keeps(L7, L7_RECORD, 'is_ipv4', '=', ['1']), false)
})
