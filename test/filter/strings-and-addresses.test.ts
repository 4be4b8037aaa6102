// Tag filters on string fields (exact comparison, `:` wildcard, `~` regex with Go inline flags)
// and the relay extension for ip4 and mac fields: they also match their display text.
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
const domain = (value: string, operator: string, values: readonly string[]) =>
  keeps(L7, { request_domain: value }, 'request_domain', operator, values)
const ip4 = (operator: string, values: readonly string[]) => keeps(L7, { ip4_0: '10.1.2.3' }, 'ip4_0', operator, values)
const mac = (operator: string, values: readonly string[]) => keeps(L4, { mac_0: '00:11:22:33:44:55' }, 'mac_0', operator, values)

test('= on a string is exact: case, spaces and substrings differ', () => {
  assert.equal(keeps(L7, { request_type: 'GET' }, 'request_type', '=', ['GET']), true)
  assert.equal(keeps(L7, { request_type: 'GET' }, 'request_type', '=', ['get']), false)
  assert.equal(keeps(L7, { request_type: 'GET' }, 'request_type', '=', [' GET']), false)
  assert.equal(keeps(L7, { request_type: 'GET' }, 'request_type', '=', ['GE']), false)
})

test('a string field is never compared as a float: "3" is not "3.0"', () => {
  assert.equal(domain('3', '=', ['3.0']), false)
  assert.equal(domain('3', '!=', ['3.0']), true)
  assert.equal(domain('3', '=', ['3']), true)
})

test('observation_point is a string compared against its code, not its name', () => {
  assert.equal(keeps(L7, { observation_point: 'c' }, 'observation_point', '=', ['c']), true)
  assert.equal(keeps(L7, { observation_point: 's-p' }, 'observation_point', 'in', ['c', 's-p']), true)
  assert.equal(keeps(L7, { observation_point: 'c' }, 'observation_point', '=', ['Client NIC']), false)
})

test(': wildcard: * becomes .*, and the match is unanchored', () => {
  assert.equal(domain('api.example.com', ':', ['api*']), true)
  assert.equal(domain('api.example.com', ':', ['example']), true)
  assert.equal(domain('api.example.com', ':', ['*.com']), true)
  assert.equal(domain('api.example.com', ':', ['www*']), false)
})

test(': wildcard: other characters keep their regex meaning (nothing is escaped)', () => {
  assert.equal(domain('abc', ':', ['a.c']), true)
  assert.equal(domain('a.c', ':', ['^a\\.c$']), true)
  assert.equal(domain('abc', ':', ['^a\\.c$']), false)
  assert.equal(domain('api.example.com', ':', ['^www*']), false)
  assert.equal(domain('aaa', ':', ['^a+$']), true)
})

test(': uses only the first value', () => {
  assert.equal(domain('api.example.com', ':', ['www*', 'api*']), false)
  assert.equal(domain('api.example.com', ':', ['api*', 'www*']), true)
})

test('!: with only the first value', () => {
  assert.equal(domain('api.example.com', '!:', ['www*', 'api*']), true)
  assert.equal(domain('api.example.com', '!:', ['*example*']), false)
})

test('~ is unanchored', () => {
  assert.equal(domain('api.example.com', '~', ['example']), true)
  assert.equal(domain('api.example.com', '~', ['^example']), false)
})

test('~ uses only the first value', () => {
  assert.equal(domain('api.example.com', '~', ['^www', '^api']), false)
  assert.equal(domain('api.example.com', '~', ['^api', '^www']), true)
  assert.equal(domain('api.example.com', '!~', ['^www', '^api']), true)
})

test('~ with Go inline flag (?i) is case-insensitive', () => {
  assert.equal(keeps(L7, { request_type: 'get' }, 'request_type', '~', ['(?i)^GET$']), true)
  assert.equal(keeps(L7, { request_type: 'get' }, 'request_type', '~', ['^GET$']), false)
  assert.equal(keeps(L7, { request_type: 'get' }, 'request_type', '!~', ['(?i)^get$']), false)
})

test('~ with Go named groups (?P<name>...) works', () => {
  assert.equal(domain('api.example.com', '~', ['^(?P<sub>[a-z]+)\\.example']), true)
  assert.equal(domain('example.com', '~', ['^(?P<sub>[a-z]+)\\.example']), false)
})

test('regex operators with no field-values match everything', () => {
  assert.equal(domain('api.example.com', '~', []), true)
  assert.equal(domain('api.example.com', '!~', []), true)
  assert.equal(domain('api.example.com', ':', []), true)
  assert.equal(domain('api.example.com', '!:', []), true)
})

test('= with no field-values drops, != with no field-values keeps', () => {
  assert.equal(domain('api.example.com', '=', []), false)
  assert.equal(domain('api.example.com', '!=', []), true)
})

test('ip4: = matches the dotted text and the integer', () => {
  assert.equal(ip4('=', ['10.1.2.3']), true)
  assert.equal(ip4('=', ['167838211']), true)
  assert.equal(ip4('=', ['10.1.2.4']), false)
  assert.equal(ip4('=', ['167838212']), false)
})

test('ip4: in matches the dotted text among other values', () => {
  assert.equal(ip4('in', ['192.168.0.1', '10.1.2.3']), true)
  assert.equal(ip4('in', ['192.168.0.1', '10.1.2.4']), false)
})

test('ip4: != of the integer form excludes the address', () => {
  assert.equal(ip4('!=', ['167838211']), false)
  assert.equal(ip4('!=', ['167838212']), true)
})

test('ip4: != of the dotted form excludes the address', () => {
  assert.equal(ip4('!=', ['10.1.2.3']), false)
  assert.equal(ip4('!=', ['10.1.2.4']), true)
})

test('ip4: not in with the dotted form excludes the address', () => {
  assert.equal(ip4('not in', ['192.168.0.1', '10.1.2.3']), false)
  assert.equal(ip4('not in', ['192.168.0.1', '10.1.2.4']), true)
})

test('ip4: : wildcard and ~ regex match the dotted text', () => {
  assert.equal(ip4(':', ['10.1.*']), true)
  assert.equal(ip4(':', ['10.2.*']), false)
  assert.equal(ip4('!:', ['10.1.*']), false)
  assert.equal(ip4('~', ['^10\\.1\\.2\\.3$']), true)
  assert.equal(ip4('!~', ['^10\\.']), false)
  assert.equal(ip4('!~', ['^192\\.']), true)
})

test('ip4 on the server side (ip4_1) uses its own value', () => {
  const record = { ip4_0: '10.1.2.3', ip4_1: '192.168.0.9' }
  assert.equal(keeps(L7, record, 'ip4_1', '=', ['192.168.0.9']), true)
  assert.equal(keeps(L7, record, 'ip4_1', '=', ['10.1.2.3']), false)
})

test('mac: = matches the display text and the integer', () => {
  assert.equal(mac('=', ['00:11:22:33:44:55']), true)
  assert.equal(mac('=', ['73588229205']), true)
  assert.equal(mac('=', ['00:11:22:33:44:56']), false)
})

test('mac: != of the integer form excludes it', () => {
  assert.equal(mac('!=', ['73588229205']), false)
  assert.equal(mac('!=', ['73588229206']), true)
})

test('mac: != of the display text excludes it', () => {
  assert.equal(mac('!=', ['00:11:22:33:44:55']), false)
  assert.equal(mac('!=', ['00:11:22:33:44:56']), true)
})

test('mac: : wildcard matches the display text', () => {
  assert.equal(mac(':', ['00:11:*']), true)
  assert.equal(mac(':', ['aa:bb:*']), false)
})
