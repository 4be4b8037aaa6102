// POSIX TZ strings ("CST-8", "EST5EDT,M3.2.0,M11.1.0", "<-03>3"), the footer rule of TZif files, parsed and
// evaluated as Go's tzset does to find the period containing an instant after a zone's last transition.

import { civilFromDays, DAYS_BEFORE_MONTH, daysFromCivil, daysInMonth, isLeap, SECONDS_PER_DAY } from './civil.ts'
import type { Period } from './period.ts'

/** When a DST change fires: `Jn` (julian, 1–365, no Feb 29), `n` (doy, 0–365) or `Mm.w.d` (mwd). */
export interface TzRule {
  readonly kind: 'julian' | 'doy' | 'mwd'
  readonly day: number
  readonly week: number
  readonly month: number
  /** Seconds after local midnight. */
  readonly time: number
}

export interface PosixTz {
  readonly stdName: string
  /** Seconds east of UTC. */
  readonly stdOffset: number
  readonly dst?: {
    readonly name: string
    readonly offset: number
    readonly start: TzRule
    readonly end: TzRule
  }
}

/** Parses like Go's tzsetName/tzsetOffset/tzsetRule; undefined where Go's tzset would report !ok. */
export function parsePosixTz(text: string): PosixTz | undefined {
  let s = text

  const name = (): string | undefined => {
    if (s.length === 0) return undefined
    if (s[0] === '<') {
      const close = s.indexOf('>')
      if (close < 0) return undefined
      const found = s.slice(1, close)
      s = s.slice(close + 1)
      return found
    }
    const stop = s.search(/[0-9,+-]/)
    const length = stop < 0 ? s.length : stop
    if (length < 3) return undefined
    const found = s.slice(0, length)
    s = s.slice(length)
    return found
  }

  const num = (min: number, max: number): number | undefined => {
    const match = /^[0-9]+/.exec(s)
    if (match === null) return undefined
    const value = Number(match[0])
    if (value < min || value > max) return undefined
    s = s.slice(match[0].length)
    return value
  }

  const offset = (): number | undefined => {
    let negative = false
    if (s[0] === '+') s = s.slice(1)
    else if (s[0] === '-') {
      s = s.slice(1)
      negative = true
    }
    const hours = num(0, 24 * 7)
    if (hours === undefined) return undefined
    let total = hours * 3600
    if (s[0] === ':') {
      s = s.slice(1)
      const minutes = num(0, 59)
      if (minutes === undefined) return undefined
      total += minutes * 60
      if (s[0] === ':') {
        s = s.slice(1)
        const seconds = num(0, 59)
        if (seconds === undefined) return undefined
        total += seconds
      }
    }
    return negative ? -total : total
  }

  const rule = (): TzRule | undefined => {
    let kind: TzRule['kind']
    let day: number | undefined
    let week = 0
    let month = 0
    if (s[0] === 'J') {
      s = s.slice(1)
      kind = 'julian'
      day = num(1, 365)
    } else if (s[0] === 'M') {
      s = s.slice(1)
      kind = 'mwd'
      const m = num(1, 12)
      if (m === undefined || s[0] !== '.') return undefined
      s = s.slice(1)
      const w = num(1, 5)
      if (w === undefined || s[0] !== '.') return undefined
      s = s.slice(1)
      day = num(0, 6)
      month = m
      week = w
    } else {
      kind = 'doy'
      day = num(0, 365)
    }
    if (day === undefined) return undefined
    let time = 2 * 3600
    if (s[0] === '/') {
      s = s.slice(1)
      const t = offset()
      if (t === undefined) return undefined
      time = t
    }
    return { kind, day, week, month, time }
  }

  const stdName = name()
  if (stdName === undefined) return undefined
  const stdWest = offset()
  if (stdWest === undefined) return undefined
  // POSIX offsets are west of UTC; ours are east.
  const stdOffset = -stdWest
  if (s.length === 0 || s[0] === ',') return { stdName, stdOffset }

  const dstName = name()
  if (dstName === undefined) return undefined
  let dstOffset = stdOffset + 3600
  if (s.length !== 0 && s[0] !== ',') {
    const dstWest = offset()
    if (dstWest === undefined) return undefined
    dstOffset = -dstWest
  }
  if (s.length === 0) s = ',M3.2.0,M11.1.0'
  if (s[0] !== ',' && s[0] !== ';') return undefined
  s = s.slice(1)
  const start = rule()
  if (start === undefined || s[0] !== ',') return undefined
  s = s.slice(1)
  const end = rule()
  if (end === undefined || s.length > 0) return undefined
  return { stdName, stdOffset, dst: { name: dstName, offset: dstOffset, start, end } }
}

/** Go's tzruleTime: seconds after the start of `year` (UTC) at which `rule` fires, for local offset `offset`. */
function ruleTime(year: number, rule: TzRule, offset: number): number {
  let day: number
  if (rule.kind === 'julian') {
    day = rule.day - 1
    if (isLeap(year) && rule.day >= 60) day++
  } else if (rule.kind === 'doy') {
    day = rule.day
  } else {
    const firstDow = (((daysFromCivil(year, rule.month, 1) + 4) % 7) + 7) % 7
    let d = rule.day - firstDow
    if (d < 0) d += 7
    for (let i = 1; i < rule.week; i++) {
      if (d + 7 >= daysInMonth(rule.month, year)) break
      d += 7
    }
    day = d + (DAYS_BEFORE_MONTH[rule.month - 1] ?? 0) + (isLeap(year) && rule.month > 2 ? 1 : 0)
  }
  return day * SECONDS_PER_DAY + rule.time - offset
}

/** Go's tzset: the period containing `sec` (which is at or after the last transition `lastTx`). */
export function posixPeriod(tz: PosixTz, lastTx: number, sec: number): Period | undefined {
  const dst = tz.dst
  let period: Period
  if (dst === undefined) {
    period = { start: lastTx, end: Infinity, offset: tz.stdOffset, abbr: tz.stdName }
  } else {
    const days = Math.floor(sec / SECONDS_PER_DAY)
    const year = civilFromDays(days).year
    const yearStartDays = daysFromCivil(year, 1, 1)
    // Go adds sec % secondsPerDay (truncated remainder), which we mirror with JS's % operator.
    const ysec = (days - yearStartDays) * SECONDS_PER_DAY + (sec % SECONDS_PER_DAY)
    const abs = yearStartDays * SECONDS_PER_DAY
    const dstStart = ruleTime(year, dst.start, tz.stdOffset)
    const dstEnd = ruleTime(year, dst.end, dst.offset)
    // Southern hemisphere: the rule ends before it starts within the year, so Go swaps the two roles.
    const swapped = dstEnd < dstStart
    const startSec = swapped ? dstEnd : dstStart
    const endSec = swapped ? dstStart : dstEnd
    const outer = swapped ? { offset: dst.offset, abbr: dst.name } : { offset: tz.stdOffset, abbr: tz.stdName }
    const inner = swapped ? { offset: tz.stdOffset, abbr: tz.stdName } : { offset: dst.offset, abbr: dst.name }
    if (ysec < startSec) period = { start: abs, end: abs + startSec, ...outer }
    else if (ysec >= endSec) period = { start: abs + endSec, end: abs + 365 * SECONDS_PER_DAY, ...outer }
    else period = { start: abs + startSec, end: abs + endSec, ...inner }
  }
  // Keep the cached range honest: it must contain sec and lie after the last transition.
  const start = Math.max(period.start, lastTx)
  if (sec < start || sec >= period.end) return { ...period, start: sec, end: sec + 1 }
  return start === period.start ? period : { ...period, start }
}
