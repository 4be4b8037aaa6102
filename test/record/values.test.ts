import test from 'node:test'
import assert from 'node:assert/strict'
import { canonicalIp6, formatGoFloat, formatIp4, formatMac, parseIp4, parseMac } from '../../src/record/values.ts'

test('IPv6 text takes the form Go net.IP.String() prints', () => {
  assert.equal(canonicalIp6('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1')
  assert.equal(canonicalIp6('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1')
  assert.equal(canonicalIp6('::'), '::')
  assert.equal(canonicalIp6('::ffff:10.1.2.3'), '10.1.2.3')
  assert.equal(canonicalIp6('10.1.2.3'), undefined)
  assert.equal(canonicalIp6('fe80::1%eth0'), undefined)
  assert.equal(canonicalIp6('1:2:3:4:5:6:7:8:9'), undefined)
})

test('ip4 and mac convert both ways', () => {
  assert.equal(parseIp4('10.1.2.3'), 167838211)
  assert.equal(formatIp4(167838211), '10.1.2.3')
  assert.equal(formatIp4(4294967295), '255.255.255.255')
  assert.equal(parseIp4('10.1.2.256'), undefined)
  assert.equal(parseMac('AA-BB-CC-DD-EE-0F'), 0xaabbccddee0f)
  assert.equal(formatMac(0xaabbccddee0f), 'aa:bb:cc:dd:ee:0f')
  assert.equal(formatMac(0x1000000000001), '00:00:00:00:00:01')
})

test('floats are written as Go strconv.FormatFloat(v, f, -1, 64): never with an exponent', () => {
  assert.equal(formatGoFloat(1.5), '1.5')
  assert.equal(formatGoFloat(1e21), '1000000000000000000000')
  assert.equal(formatGoFloat(1.25e-7), '0.000000125')
  assert.equal(formatGoFloat(-3e-7), '-0.0000003')
  assert.equal(formatGoFloat(0), '0')
})
