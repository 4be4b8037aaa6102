// Direct unit tests of the POSIX TZ footer rule: parsing as Go's tzset does, and the period containing
// an instant, for a southern-hemisphere rule (DST spans the new year) and for `Jn` / `n` day rules.
import test from 'node:test'
import assert from 'node:assert/strict'
import { parsePosixTz, posixPeriod, type PosixTz } from '../../src/time/posix-tz.ts'

const sec = (utcMs: number): number => utcMs / 1000
const HOUR = 3600

function parsed(text: string): PosixTz {
  const tz = parsePosixTz(text)
  assert.ok(tz !== undefined, `expected ${text} to parse`)
  return tz
}

test('parsePosixTz: fixed offsets (POSIX west-positive becomes east-positive), default DST rule, failures', () => {
  assert.deepEqual(parsePosixTz('CST-8'), { stdName: 'CST', stdOffset: 8 * HOUR })
  assert.deepEqual(parsePosixTz('<-03>3'), { stdName: '-03', stdOffset: -3 * HOUR })
  const ny = parsed('EST5EDT')
  assert.equal(ny.dst?.offset, -4 * HOUR)
  assert.deepEqual(ny.dst?.start, { kind: 'mwd', day: 0, week: 2, month: 3, time: 2 * HOUR })
  assert.equal(parsePosixTz('EST'), undefined)
  assert.equal(parsePosixTz('XY5'), undefined)
  assert.equal(parsePosixTz('EST5EDT,M3.2.0'), undefined)
  assert.equal(parsePosixTz('EST5EDT,M13.1.0,M11.1.0'), undefined)
})

test('posixPeriod: southern hemisphere (Sydney) — DST in January, standard time in July, exact switch points', () => {
  const sydney = parsed('AEST-10AEDT,M10.1.0,M4.1.0/3')
  const yearStart = sec(Date.UTC(2030, 0, 1))
  const dstEnds = sec(Date.UTC(2030, 3, 6, 16)) // Sun 7 Apr 03:00 AEDT
  const dstStarts = sec(Date.UTC(2030, 9, 5, 16)) // Sun 6 Oct 02:00 AEST
  const yearEnd = sec(Date.UTC(2031, 0, 1))
  const summer = { offset: 11 * HOUR, abbr: 'AEDT' }
  const winter = { offset: 10 * HOUR, abbr: 'AEST' }
  assert.deepEqual(posixPeriod(sydney, 0, sec(Date.UTC(2030, 0, 15))), { start: yearStart, end: dstEnds, ...summer })
  assert.deepEqual(posixPeriod(sydney, 0, dstEnds - 1), { start: yearStart, end: dstEnds, ...summer })
  assert.deepEqual(posixPeriod(sydney, 0, dstEnds), { start: dstEnds, end: dstStarts, ...winter })
  assert.deepEqual(posixPeriod(sydney, 0, sec(Date.UTC(2030, 6, 1))), { start: dstEnds, end: dstStarts, ...winter })
  assert.deepEqual(posixPeriod(sydney, 0, dstStarts), { start: dstStarts, end: yearEnd, ...summer })
})

test('posixPeriod: `Jn` skips Feb 29, zero-based `n` counts it', () => {
  const tz = parsed('STD0DST,J60/0,300/0')
  const dst = { offset: HOUR, abbr: 'DST' }
  // Leap year: J60 is still 1 March; day 300 (zero-based) is 27 October. The end fires at 00:00 DST = 23:00Z.
  const leapStart = sec(Date.UTC(2024, 2, 1))
  const leapEnd = sec(Date.UTC(2024, 9, 26, 23))
  assert.deepEqual(posixPeriod(tz, 0, sec(Date.UTC(2024, 5, 1))), { start: leapStart, end: leapEnd, ...dst })
  assert.equal(posixPeriod(tz, 0, leapStart - 1)?.abbr, 'STD')
  assert.equal(posixPeriod(tz, 0, leapEnd)?.abbr, 'STD')
  // Common year: J60 is 1 March again; day 300 is 28 October.
  const start = sec(Date.UTC(2023, 2, 1))
  const end = sec(Date.UTC(2023, 9, 27, 23))
  assert.deepEqual(posixPeriod(tz, 0, sec(Date.UTC(2023, 5, 1))), { start, end, ...dst })
})

test('posixPeriod: a period never starts before the last transition; fixed zones run to infinity', () => {
  const lastTx = sec(Date.UTC(2030, 2, 1))
  const sydney = parsed('AEST-10AEDT,M10.1.0,M4.1.0/3')
  assert.equal(posixPeriod(sydney, lastTx, sec(Date.UTC(2030, 2, 15)))?.start, lastTx)
  const cst = parsed('CST-8')
  const fixed = { start: lastTx, end: Infinity, offset: 8 * HOUR, abbr: 'CST' }
  assert.deepEqual(posixPeriod(cst, lastTx, lastTx + 5), fixed)
})
