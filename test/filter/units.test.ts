// Direct tests of the filter building blocks: deepflowFloatList, compileTagFilter on raw values,
// the Go regexp translation, field binding and compileFilter.
import test from 'node:test'
import assert from 'node:assert/strict'
import { dataSource, type FieldSpec } from '../../src/deepflow/schema.ts'
import { compileTagFilter, deepflowFloatList, filterPattern } from '../../src/filter/tag-filter.ts'
import { compileGoRegexp, wildcardToGoRegexp } from '../../src/deepflow/go-regexp.ts'
import { bindFilterField, compileFilter } from '../../src/filter/compile-filter.ts'
import type { Operator } from '../../src/config/types.ts'
import { exporterFromYaml } from '../helpers/encode.ts'

const L7 = dataSource('flow_log.l7_flow_log')!
const NETWORK_MAP = dataSource('flow_metrics.network_map.1m')!
const field = (name: string): FieldSpec => L7.byName.get(name)!
const pred = (name: string, operator: Operator, ...fieldValues: string[]) =>
  compileTagFilter({ fieldName: name, operator, fieldValues }, field(name))

test('deepflowFloatList: ["a","3"] gives [3]', () => {
  assert.deepEqual(deepflowFloatList(['a', '3']), [3])
})

test('deepflowFloatList: ["3","a"] gives []', () => {
  assert.deepEqual(deepflowFloatList(['3', 'a']), [])
})

test('deepflowFloatList: each failure resets, later values are appended again', () => {
  assert.deepEqual(deepflowFloatList(['1', 'x', '2', '3']), [2, 3])
  assert.deepEqual(deepflowFloatList(['1', '2', '3']), [1, 2, 3])
  assert.deepEqual(deepflowFloatList([]), [])
})

test('deepflowFloatList: Go float spellings (exponent, leading dot, sign, inf, nan)', () => {
  assert.deepEqual(deepflowFloatList(['2e1', '.5', '+3', '-4.25', '1.']), [20, 0.5, 3, -4.25, 1])
  assert.deepEqual(deepflowFloatList(['Inf', '-inf', '+Infinity']), [Infinity, -Infinity, Infinity])
  assert.equal(Number.isNaN(deepflowFloatList(['NaN'])[0]), true)
})

test('deepflowFloatList: dotted IPv4, empty text and spaces are not floats', () => {
  assert.deepEqual(deepflowFloatList(['10.1.2.3']), [])
  assert.deepEqual(deepflowFloatList(['']), [])
  assert.deepEqual(deepflowFloatList([' 3']), [])
  assert.deepEqual(deepflowFloatList(['3 ']), [])
})

test('compileTagFilter: numeric = tests float then text', () => {
  const p = pred('l7_protocol', '=', '3.0')
  assert.equal(p(3), true)
  assert.equal(p(4), false)
  assert.equal(pred('l7_protocol', '=', '3.0', 'a')(3), false)
  assert.equal(pred('l7_protocol', '=', 'a', '3.0')(3), true)
})

test('compileTagFilter: numeric != ["3.0"] keeps 3', () => {
  assert.equal(pred('l7_protocol', '!=', '3.0')(3), true)
  assert.equal(pred('l7_protocol', '!=', '3')(3), false)
})

test('compileTagFilter: regex operators on a numeric field always match', () => {
  for (const op of ['~', '!~', ':', '!:'] as const) {
    assert.equal(pred('l7_protocol', op, 'nothing-like-a-number')(20), true, op)
    assert.equal(pred('l7_protocol', op, '20')(20), true, op)
  }
})

test('compileTagFilter: bigint beyond 2^53 in the string fallback is exact', () => {
  assert.equal(pred('_id', '!=', '9007199254740992')(9007199254740993n), true)
  assert.equal(pred('_id', '!=', '9007199254740993')(9007199254740993n), false)
  assert.equal(pred('_id', '=', '18446744073709551615')(18446744073709551615n), true)
  assert.equal(pred('_id', 'not in', '18446744073709551614')(18446744073709551615n), true)
})

test('compileTagFilter: undefined on a nullable field or an ip6 field matches', () => {
  assert.equal(pred('response_code', '=', '200')(undefined), true)
  assert.equal(pred('response_code', '!=', '0')(undefined), true)
  assert.equal(pred('ip6_0', '=', '::1')(undefined), true)
  assert.equal(pred('ip6_0', '!~', '')(undefined), true)
})

test('compileTagFilter: undefined on other fields is Go zero value', () => {
  assert.equal(pred('l7_protocol', '=', '0')(undefined), true)
  assert.equal(pred('l7_protocol', '!=', '0')(undefined), false)
  assert.equal(pred('request_domain', '=', '')(undefined), true)
  assert.equal(pred('request_domain', '!=', '')(undefined), false)
})

test('compileTagFilter: string fields compare exactly and match regexes unanchored', () => {
  assert.equal(pred('request_domain', 'in', 'a', 'b')('b'), true)
  assert.equal(pred('request_domain', 'in', 'a', 'b')('B'), false)
  assert.equal(pred('request_domain', ':', 'ex*le')('www.example.com'), true)
  assert.equal(pred('request_domain', '~', '(?i)EXAMPLE')('www.example.com'), true)
  assert.equal(pred('request_domain', '!~', '(?i)EXAMPLE')('www.example.com'), false)
})

test('compileTagFilter: ip4 (uint32) also matches its dotted text', () => {
  const ip = 167838211 // 10.1.2.3
  assert.equal(pred('ip4_0', '=', '10.1.2.3')(ip), true)
  assert.equal(pred('ip4_0', '=', '167838211')(ip), true)
  assert.equal(pred('ip4_0', '!=', '167838211')(ip), false)
  assert.equal(pred('ip4_0', ':', '10.1.*')(ip), true)
  assert.equal(pred('ip4_0', '~', '^10\\.2')(ip), false)
})

test('compileTagFilter: ip4 != and not in of the dotted text exclude the address', () => {
  const ip = 167838211 // 10.1.2.3
  assert.equal(pred('ip4_0', '!=', '10.1.2.3')(ip), false)
  assert.equal(pred('ip4_0', 'not in', '10.1.2.3')(ip), false)
  assert.equal(pred('ip4_0', '!=', '10.1.2.4')(ip), true)
})

test('filterPattern: first value only; wildcard turned into a regex; null without values', () => {
  assert.equal(filterPattern({ fieldName: 'x', operator: ':', fieldValues: ['a*b', 'c'] })!.source, 'a.*b')
  assert.equal(filterPattern({ fieldName: 'x', operator: '~', fieldValues: ['a*b', 'c'] })!.source, 'a*b')
  assert.equal(filterPattern({ fieldName: 'x', operator: '~', fieldValues: [] }), null)
})

test('wildcardToGoRegexp replaces every * and escapes nothing else', () => {
  assert.equal(wildcardToGoRegexp('*.example.*'), '.*.example..*')
  assert.equal(wildcardToGoRegexp('a+b?'), 'a+b?')
})

test('compileGoRegexp: (?i), (?s), (?m) leading flags become JS flags', () => {
  const r = compileGoRegexp('(?is)^a.b$')
  assert.equal(r.ok, true)
  if (r.ok) {
    assert.equal(r.re.flags, 'is')
    assert.equal(r.re.source, '^a.b$')
    assert.equal(r.re.test('A\nB'), true)
  }
})

test('compileGoRegexp: (?P<name>) named groups and \\A \\z anchors', () => {
  const r = compileGoRegexp('\\A(?P<x>ab)\\z')
  assert.equal(r.ok, true)
  if (r.ok) {
    assert.equal(r.re.test('ab'), true)
    assert.equal(r.re.test('ab\n'), false)
    assert.equal(r.re.test('xab'), false)
    assert.equal(r.re.exec('ab')!.groups!.x, 'ab')
  }
})

test('compileGoRegexp: an unsupported flag is an error', () => {
  assert.deepEqual(compileGoRegexp('(?U)a'), { ok: false, error: 'invalid regular expression "(?U)a": flag "U" is not supported' })
})

test('compileGoRegexp: invalid syntax is an error naming the pattern', () => {
  const r = compileGoRegexp('(abc')
  assert.equal(r.ok, false)
  if (!r.ok) assert.equal(r.error.startsWith('invalid regular expression "(abc": '), true)
})

test('bindFilterField: map sources bind json names and _0 names to the same field', () => {
  assert.equal(bindFilterField(NETWORK_MAP, 'pod_id')!.name, 'pod_id_0')
  assert.equal(bindFilterField(NETWORK_MAP, 'pod_id_0')!.name, 'pod_id_0')
  assert.equal(bindFilterField(NETWORK_MAP, 'ip4')!.name, 'ip4_0')
  assert.equal(bindFilterField(NETWORK_MAP, 'pod_id_1')!.name, 'pod_id_1')
  assert.equal(bindFilterField(NETWORK_MAP, 'mac_0'), undefined)
})

test('bindFilterField: L7 binds the json name and the ClickHouse column (end_point / endpoint)', () => {
  assert.equal(bindFilterField(L7, 'end_point')!.name, 'end_point')
  assert.equal(bindFilterField(L7, 'endpoint')!.name, 'end_point')
  assert.equal(bindFilterField(L7, 'pod_id'), undefined)
})

test('compileFilter: null when no filter applies to the data source', () => {
  const none = exporterFromYaml('data-sources: [flow_log.l7_flow_log]\nexport-fields: [$tag]')
  assert.equal(compileFilter(none, L7), null)
  const other = exporterFromYaml(`data-sources: [flow_log.l7_flow_log, flow_log.l4_flow_log]
export-fields: [$tag]
tag-filters: [{field-name: mac_0, operator: "=", field-values: ["1"]}]
tag-filters-groups: [{tag-filters: [{field-name: mac_1, operator: "=", field-values: ["1"]}]}]`)
  assert.equal(compileFilter(other, L7), null)
  assert.notEqual(compileFilter(other, dataSource('flow_log.l4_flow_log')!), null)
})

test('compileFilter: the predicate reads values by the field index', () => {
  const e = exporterFromYaml(
    'data-sources: [flow_log.l7_flow_log]\nexport-fields: [$tag]\ntag-filters: [{field-name: l7_protocol, operator: "=", field-values: ["20"]}]',
  )
  const p = compileFilter(e, L7)!
  const values: (number | undefined)[] = new Array(L7.fields.length)
  values[field('l7_protocol').index] = 20
  assert.equal(p(values), true)
  values[field('l7_protocol').index] = 21
  assert.equal(p(values), false)
})
