// Formats instants exactly as Go's time.Time.String() does ("2006-01-02 15:04:05.999999999 -0700 MST")
// in a configured time zone (its periods from time/zone.ts); this module renders the text.

import { civilFromDays, SECONDS_PER_DAY } from '../time/civil.ts'
import type { Period } from '../time/period.ts'
import { UTC_PERIOD, type ZoneFileReader, zoneLookup } from '../time/zone.ts'

/**
 * Returns a function formatting a timestamp given in microseconds since the Unix epoch exactly as Go's
 * time.Time.String() does for that instant in `zone`. Throws an Error with a clear message if the zone is unknown.
 */
export function createTimeFormatter(zone: string, readZoneFile?: ZoneFileReader): (us: number) => string {
  const lookup = zoneLookup(zone, readZoneFile)
  let period: Period = UTC_PERIOD
  let periodValid = false
  let memoSec = Number.NaN
  let memoHead = ''
  let memoTail = ''
  return (us: number): string => {
    if (!Number.isFinite(us)) throw new RangeError(`cannot format timestamp ${us}: not a finite number`)
    const whole = Math.floor(us)
    const frac = ((whole % 1e6) + 1e6) % 1e6
    const sec = (whole - frac) / 1e6
    if (sec !== memoSec) {
      if (!periodValid || sec < period.start || sec >= period.end) {
        period = lookup(sec)
        periodValid = true
      }
      memoHead = wallClock(sec + period.offset)
      memoTail = ' ' + numericOffset(period.offset) + ' ' + period.abbr
      memoSec = sec
    }
    return frac === 0 ? memoHead + memoTail : memoHead + fraction(frac) + memoTail
  }
}

// ---------------------------------------------------------------------------------------------------
// Text

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n)
}

/** Go's appendInt(year, 4): a sign for negative years, then at least 4 digits. */
function year4(y: number): string {
  const digits = String(Math.abs(y)).padStart(4, '0')
  return y < 0 ? '-' + digits : digits
}

/** "2006-01-02 15:04:05" for seconds since the epoch already shifted to local wall-clock time. */
function wallClock(local: number): string {
  const days = Math.floor(local / SECONDS_PER_DAY)
  const secOfDay = local - days * SECONDS_PER_DAY
  const { year, month, day } = civilFromDays(days)
  const h = Math.floor(secOfDay / 3600)
  const m = Math.floor((secOfDay % 3600) / 60)
  const s = secOfDay % 60
  return `${year4(year)}-${pad2(month)}-${pad2(day)} ${pad2(h)}:${pad2(m)}:${pad2(s)}`
}

/** ".123512", ".1"; trailing zeros trimmed as Go's ".999999999" layout does. */
function fraction(micros: number): string {
  let digits = String(micros).padStart(6, '0')
  let end = digits.length
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--
  digits = digits.slice(0, end)
  return '.' + digits
}

/** Go's "-0700": offset truncated to whole minutes, sign taken from the truncated value. */
function numericOffset(offset: number): string {
  const minutes = Math.trunc(offset / 60)
  const abs = Math.abs(minutes)
  return (minutes < 0 ? '-' : '+') + pad2(Math.floor(abs / 60)) + pad2(abs % 60)
}
