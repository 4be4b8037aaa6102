// Tag filters on numeric fields (DeepFlow MatchValue): the float comparison first, then the
// decimal text compared as a string; the float list quirk; regex operators always match; 64-bit
// integers beyond 2^53 compared exactly in the string fallback.
import test from 'node:test'
import assert from 'node:assert/strict'
import { encodeOne } from '../helpers/encode.ts'

const L7 = 'flow_log.l7_flow_log'
const L4 = 'flow_log.l4_flow_log'
const BASE = { time: 1715133600, end_time: 1715133600000000 }

function keeps(ds: string, record: object, field: string, operator: string, values: readonly string[]): boolean {
  const filter = JSON.stringify({ 'field-name': field, operator, 'field-values': values })
  return encodeOne(`export-fields: [$tag]\ntag-filters: [${filter}]`, ds, { ...BASE, ...record }) !== null
}
const l7 = (record: object, field: string, operator: string, values: readonly string[]) => keeps(L7, record, field, operator, values)

test('= compares numbers as floats: 20.0, 2e1 and 020 all equal 20', () => {
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', '=', ['20.0']), true)
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', '=', ['2e1']), true)
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', '=', ['020']), true)
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', '=', ['20.5']), false)
})

test('!= with ["3.0"] does not exclude 3 (DeepFlow: the float test fails, then "3" is not "3.0")', () => {
  assert.equal(l7({ l7_protocol: 3 }, 'l7_protocol', '!=', ['3.0']), true)
  assert.equal(l7({ l7_protocol: 3 }, 'l7_protocol', '!=', ['3']), false)
})

test('not in with ["3.0"] does not exclude 3 either', () => {
  assert.equal(l7({ l7_protocol: 3 }, 'l7_protocol', 'not in', ['3.0', '7']), true)
  assert.equal(l7({ l7_protocol: 3 }, 'l7_protocol', 'not in', ['7', '3']), false)
})

test('float list quirk: ["a","3.0"] keeps 3 by the float test, ["3.0","a"] resets the floats and drops 3', () => {
  assert.equal(l7({ l7_protocol: 3 }, 'l7_protocol', '=', ['a', '3.0']), true)
  assert.equal(l7({ l7_protocol: 3 }, 'l7_protocol', '=', ['3.0', 'a']), false)
})

test('float list quirk: ["3","a"] has no floats but the string fallback still matches "3"', () => {
  assert.equal(l7({ l7_protocol: 3 }, 'l7_protocol', '=', ['3', 'a']), true)
  assert.equal(l7({ l7_protocol: 3 }, 'l7_protocol', 'in', ['3', 'a']), true)
})

test('float list quirk: != ["3","a"] keeps 3 (3 is not in the empty float list, so the float test passes)', () => {
  assert.equal(l7({ l7_protocol: 3 }, 'l7_protocol', '!=', ['3', 'a']), true)
  assert.equal(l7({ l7_protocol: 3 }, 'l7_protocol', '!=', ['a', '3']), false)
})

test('~ on a numeric field always matches, even a regex that cannot match the digits', () => {
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', '~', ['^999$']), true)
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', '~', ['[a-z]']), true)
})

test('!~, : and !: on a numeric field always match', () => {
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', '!~', ['20']), true)
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', '!~', ['.*']), true)
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', ':', ['9*9']), true)
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', '!:', ['*']), true)
})

test('negative numbers compare as floats and as text', () => {
  assert.equal(l7({ l3_epc_id_0: -2 }, 'l3_epc_id_0', '=', ['-2']), true)
  assert.equal(l7({ l3_epc_id_0: -2 }, 'l3_epc_id_0', '=', ['-2.0']), true)
  assert.equal(l7({ l3_epc_id_0: -2 }, 'l3_epc_id_0', '!=', ['-2']), false)
  assert.equal(l7({ l3_epc_id_0: -2 }, 'l3_epc_id_0', '=', ['2']), false)
})

test('a numeric field given as a numeric string in the record compares the same', () => {
  assert.equal(l7({ l7_protocol: '20' }, 'l7_protocol', '=', ['20']), true)
  assert.equal(l7({ l7_protocol: '20' }, 'l7_protocol', '!=', ['20']), false)
})

test('the raw value is tested, not its enum name: l7_protocol 20 is not "HTTP"', () => {
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', '=', ['HTTP']), false)
  assert.equal(l7({ l7_protocol: 20 }, 'l7_protocol', '!=', ['HTTP']), true)
})

test('a bool field is tested as 1 or 0, never as "true"', () => {
  assert.equal(l7({ is_ipv4: true }, 'is_ipv4', '=', ['1']), true)
  assert.equal(l7({ is_ipv4: true }, 'is_ipv4', '=', ['true']), false)
  assert.equal(l7({ is_ipv4: false }, 'is_ipv4', '=', ['0']), true)
  assert.equal(l7({ is_ipv4: false }, 'is_ipv4', '!=', ['0']), false)
})

test('uint64 above 2^53: = matches the exact value', () => {
  assert.equal(l7({ _id: '9007199254740993' }, '_id', '=', ['9007199254740993']), true)
  assert.equal(l7({ _id: '18446744073709551615' }, '_id', '=', ['18446744073709551615']), true)
  assert.equal(l7({ _id: '18446744073709551615' }, '_id', 'in', ['1', '18446744073709551615']), true)
})

test('uint64 above 2^53: != excludes the exact value', () => {
  assert.equal(l7({ _id: '9007199254740993' }, '_id', '!=', ['9007199254740993']), false)
  assert.equal(l7({ _id: '18446744073709551615' }, '_id', 'not in', ['18446744073709551615']), false)
})

test('uint64 above 2^53: != a neighbour equal as float64 keeps the record (exact string fallback)', () => {
  // float64(9007199254740993) == float64(9007199254740992), so the float test says "equal";
  // the string fallback then sees "9007199254740993" is not "9007199254740992".
  assert.equal(l7({ _id: '9007199254740993' }, '_id', '!=', ['9007199254740992']), true)
  assert.equal(l7({ _id: '18446744073709551615' }, '_id', 'not in', ['18446744073709551614']), true)
})

test('uint64 above 2^53: = a neighbour equal as float64 matches by the float test, as in Go', () => {
  assert.equal(l7({ _id: '9007199254740993' }, '_id', '=', ['9007199254740992']), true)
  assert.equal(l7({ _id: '9007199254740993' }, '_id', '=', ['9007199254740995']), false)
})

test('numeric filters work on l4 fields too (server_port, protocol)', () => {
  assert.equal(keeps(L4, { server_port: 443, protocol: 6 }, 'server_port', 'in', ['80', '443']), true)
  assert.equal(keeps(L4, { server_port: 8443, protocol: 6 }, 'server_port', 'in', ['80', '443']), false)
  assert.equal(keeps(L4, { server_port: 443, protocol: 6 }, 'protocol', '!=', ['17']), true)
})
