// Tests for the Go time.Time.String() formatter: exact strings against the system zoneinfo database
// (/usr/share/zoneinfo, as Go reads it) and against the Intl fallback used when no zone file exists.
import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createTimeFormatter } from '../../src/encode/time-str.ts'
import { isValidTimeZone, type ZoneFileReader } from '../../src/time/zone.ts'

const readZone: ZoneFileReader = (zone) => {
  try {
    return readFileSync('/usr/share/zoneinfo/' + zone)
  } catch {
    return undefined
  }
}
const noZoneFile: ZoneFileReader = () => undefined

const us = (utcMs: number): number => utcMs * 1000
const MAY_8_2024_0200Z = 1715133600000000
const JAN_15_2024_1200Z = us(Date.UTC(2024, 0, 15, 12))

test('UTC: fraction trimmed of trailing zeros, no dot for a whole second', () => {
  const format = createTimeFormatter('UTC', readZone)
  assert.equal(format(1715133600123512), '2024-05-08 02:00:00.123512 +0000 UTC')
  assert.equal(format(MAY_8_2024_0200Z), '2024-05-08 02:00:00 +0000 UTC')
  assert.equal(format(1715133600100000), '2024-05-08 02:00:00.1 +0000 UTC')
  assert.equal(format(1715133600120000), '2024-05-08 02:00:00.12 +0000 UTC')
  assert.equal(format(1715133600000001), '2024-05-08 02:00:00.000001 +0000 UTC')
  assert.equal(format(MAY_8_2024_0200Z), '2024-05-08 02:00:00 +0000 UTC')
})

test('UTC: non-integer microseconds are floored', () => {
  const format = createTimeFormatter('UTC')
  assert.equal(format(1715133600000001.75), '2024-05-08 02:00:00.000001 +0000 UTC')
  assert.equal(format(-0.5), '1969-12-31 23:59:59.999999 +0000 UTC')
})

test('Etc/UTC formats like UTC', () => {
  assert.equal(createTimeFormatter('Etc/UTC', readZone)(MAY_8_2024_0200Z), '2024-05-08 02:00:00 +0000 UTC')
})

test('UTC: instants before 1970 and years below 1000', () => {
  const format = createTimeFormatter('UTC', readZone)
  assert.equal(format(-1), '1969-12-31 23:59:59.999999 +0000 UTC')
  assert.equal(format(us(Date.UTC(1969, 6, 20, 20, 17, 40))), '1969-07-20 20:17:40 +0000 UTC')
  // Go's zero time.Time
  assert.equal(format(-62135596800000000), '0001-01-01 00:00:00 +0000 UTC')
  assert.equal(format(us(Date.UTC(999, 11, 31, 23, 59, 59))), '0999-12-31 23:59:59 +0000 UTC')
  assert.equal(format(us(Date.UTC(500, 1, 28, 12))), '0500-02-28 12:00:00 +0000 UTC')
})

test('Asia/Shanghai: +0800 CST', () => {
  assert.equal(createTimeFormatter('Asia/Shanghai', readZone)(MAY_8_2024_0200Z), '2024-05-08 10:00:00 +0800 CST')
})

test('America/New_York: EDT in summer, EST in winter, switching at the DST transition', () => {
  const format = createTimeFormatter('America/New_York', readZone)
  assert.equal(format(MAY_8_2024_0200Z), '2024-05-07 22:00:00 -0400 EDT')
  assert.equal(format(JAN_15_2024_1200Z), '2024-01-15 07:00:00 -0500 EST')
  const springForward = us(Date.UTC(2024, 2, 10, 7))
  assert.equal(format(springForward - 1), '2024-03-10 01:59:59.999999 -0500 EST')
  assert.equal(format(springForward), '2024-03-10 03:00:00 -0400 EDT')
})

test('America/New_York: before the first transition Go uses local mean time', () => {
  const format = createTimeFormatter('America/New_York', readZone)
  assert.equal(format(us(Date.UTC(1800, 0, 1))), '1799-12-31 19:03:58 -0456 LMT')
})

test('America/New_York and Australia/Sydney: far future instants follow the POSIX TZ footer rule', () => {
  const newYork = createTimeFormatter('America/New_York', readZone)
  assert.equal(newYork(us(Date.UTC(2100, 6, 1, 12))), '2100-07-01 08:00:00 -0400 EDT')
  assert.equal(newYork(us(Date.UTC(2100, 0, 15, 12))), '2100-01-15 07:00:00 -0500 EST')
  const sydney = createTimeFormatter('Australia/Sydney', readZone)
  assert.equal(sydney(us(Date.UTC(2100, 6, 1))), '2100-07-01 10:00:00 +1000 AEST')
  assert.equal(sydney(us(Date.UTC(2100, 0, 15))), '2100-01-15 11:00:00 +1100 AEDT')
})

test('Asia/Kolkata: +0530 IST', () => {
  assert.equal(createTimeFormatter('Asia/Kolkata', readZone)(MAY_8_2024_0200Z), '2024-05-08 07:30:00 +0530 IST')
})

test('Europe/London: BST in summer, GMT in winter', () => {
  const format = createTimeFormatter('Europe/London', readZone)
  assert.equal(format(MAY_8_2024_0200Z), '2024-05-08 03:00:00 +0100 BST')
  assert.equal(format(JAN_15_2024_1200Z), '2024-01-15 12:00:00 +0000 GMT')
})

test('America/Sao_Paulo: numeric tzdata abbreviation -03', () => {
  const format = createTimeFormatter('America/Sao_Paulo', readZone)
  assert.equal(format(MAY_8_2024_0200Z), '2024-05-07 23:00:00 -0300 -03')
  assert.equal(format(1715133600250000), '2024-05-07 23:00:00.25 -0300 -03')
})

test('Intl fallback (no zone file): America/New_York still gets EDT/EST from Intl short names', () => {
  const format = createTimeFormatter('America/New_York', noZoneFile)
  assert.equal(format(MAY_8_2024_0200Z), '2024-05-07 22:00:00 -0400 EDT')
  assert.equal(format(JAN_15_2024_1200Z), '2024-01-15 07:00:00 -0500 EST')
  assert.equal(createTimeFormatter('America/New_York')(MAY_8_2024_0200Z), '2024-05-07 22:00:00 -0400 EDT')
})

test('Intl fallback (no zone file): Asia/Shanghai gets the numeric "+08" abbreviation, not CST', () => {
  const format = createTimeFormatter('Asia/Shanghai', noZoneFile)
  assert.equal(format(MAY_8_2024_0200Z), '2024-05-08 10:00:00 +0800 +08')
  assert.equal(createTimeFormatter('Asia/Kolkata')(MAY_8_2024_0200Z), '2024-05-08 07:30:00 +0530 +0530')
})

test('isValidTimeZone: UTC and IANA names yes; Local, offsets and unknown names no', () => {
  assert.equal(isValidTimeZone('UTC'), true)
  assert.equal(isValidTimeZone('Asia/Shanghai'), true)
  assert.equal(isValidTimeZone('America/Sao_Paulo'), true)
  assert.equal(isValidTimeZone('Nope/Zone'), false)
  assert.equal(isValidTimeZone('Local'), false)
  assert.equal(isValidTimeZone(''), false)
  assert.equal(isValidTimeZone('+08:00'), false)
  assert.equal(isValidTimeZone('../etc/passwd'), false)
})

test('createTimeFormatter throws for an unknown zone', () => {
  assert.throws(() => createTimeFormatter('Nope/Zone', readZone), /unknown time zone "Nope\/Zone"/)
  assert.throws(() => createTimeFormatter('Nope/Zone'), /unknown time zone/)
  assert.throws(() => createTimeFormatter('Local', readZone), /unknown time zone/)
})

test('a file that is not TZif is reported as malformed', () => {
  const garbage: ZoneFileReader = () => new TextEncoder().encode('not a zone file at all, definitely not')
  assert.throws(() => createTimeFormatter('Asia/Shanghai', garbage), /malformed time zone file/)
})
