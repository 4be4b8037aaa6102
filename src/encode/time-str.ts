// Formats instants exactly as Go's time.Time.String() does ("2006-01-02 15:04:05.999999999 -0700 MST")
// in a configured time zone. Offsets and abbreviations come from the system TZif file (read through an
// injected reader, following Go's own lookup rules including the POSIX TZ footer); when no file is
// available Intl.DateTimeFormat supplies the offset and, where it has an alphabetic one, the abbreviation.

/** Reads a TZif file of the system zoneinfo database by zone name (e.g. "Asia/Shanghai"); undefined when absent. */
export type ZoneFileReader = (zone: string) => Uint8Array | undefined

/** A stretch of time, [start, end) in Unix seconds, during which a zone's offset and abbreviation stay the same. */
interface Period {
  readonly start: number
  readonly end: number
  readonly offset: number
  readonly abbr: string
}

type PeriodLookup = (sec: number) => Period

const SECONDS_PER_DAY = 86400
const UTC_PERIOD: Period = { start: -Infinity, end: Infinity, offset: 0, abbr: 'UTC' }

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

/** true if `zone` is usable ("UTC", "Local" is NOT accepted, any IANA name Intl knows) */
export function isValidTimeZone(zone: string): boolean {
  if (isUtc(zone)) return true
  return isSafeZoneName(zone) && intlZone(zone) !== undefined
}

function isUtc(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC'
}

/** Names Go's LoadLocation would refuse (or that are not zone names at all, like Intl's "+08:00"). */
function isSafeZoneName(zone: string): boolean {
  if (zone === '' || zone === 'Local') return false
  if (/^[/\\+-]/.test(zone) || zone.includes('\\')) return false
  return !zone.split('/').includes('..')
}

function zoneLookup(zone: string, readZoneFile: ZoneFileReader | undefined): PeriodLookup {
  if (isUtc(zone)) return () => UTC_PERIOD
  if (!isSafeZoneName(zone)) throw new Error(`unknown time zone ${JSON.stringify(zone)}: not a zone name`)
  const intl = intlZone(zone)
  let data = readZoneFile?.(zone)
  if (data === undefined && intl !== undefined && intl.canonical !== zone && isSafeZoneName(intl.canonical)) {
    data = readZoneFile?.(intl.canonical)
  }
  if (data !== undefined) return tzifLookup(parseTzif(data, zone))
  if (intl !== undefined) return intlLookup(intl)
  throw new Error(`unknown time zone ${JSON.stringify(zone)}: neither the zoneinfo database nor Intl knows it`)
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

/** tzdata's numeric abbreviation ("%z" style): "+08", "+0530", "-03", with seconds only when non-zero. */
function numericAbbr(offset: number): string {
  const abs = Math.abs(offset)
  const h = Math.floor(abs / 3600)
  const m = Math.floor((abs % 3600) / 60)
  const s = abs % 60
  let text = (offset < 0 ? '-' : '+') + pad2(h)
  if (m !== 0 || s !== 0) text += pad2(m)
  if (s !== 0) text += pad2(s)
  return text
}

// ---------------------------------------------------------------------------------------------------
// Proleptic Gregorian calendar (astronomical years: year 0 exists), after H. Hinnant's algorithms.

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = month > 2 ? month - 3 : month + 9
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
}

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]

function daysIn(month: number, year: number): number {
  if (month === 2 && isLeap(year)) return 29
  return (DAYS_BEFORE_MONTH[month] ?? 0) - (DAYS_BEFORE_MONTH[month - 1] ?? 0)
}

// ---------------------------------------------------------------------------------------------------
// Intl (fallback when no zone file is available)

interface IntlZone {
  readonly canonical: string
  readonly longOffset: Intl.DateTimeFormat
  readonly short: Intl.DateTimeFormat
}

const intlZones = new Map<string, IntlZone | null>()

function intlZone(zone: string): IntlZone | undefined {
  let cached = intlZones.get(zone)
  if (cached === undefined) {
    try {
      const longOffset = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      const short = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' })
      cached = { canonical: longOffset.resolvedOptions().timeZone, longOffset, short }
    } catch {
      cached = null
    }
    intlZones.set(zone, cached)
  }
  return cached ?? undefined
}

function zoneNamePart(format: Intl.DateTimeFormat, date: Date): string {
  for (const part of format.formatToParts(date)) {
    if (part.type === 'timeZoneName') return part.value
  }
  return ''
}

const LONG_OFFSET = /^(?:GMT|UTC)(?:([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/

function intlLookup(zone: IntlZone): PeriodLookup {
  return (sec) => {
    const date = new Date(sec * 1000)
    const longText = zoneNamePart(zone.longOffset, date)
    const match = LONG_OFFSET.exec(longText)
    if (match === null) throw new Error(`cannot read the UTC offset of ${zone.canonical} from Intl ("${longText}")`)
    const [, sign, h, m, s] = match
    const magnitude = Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0)
    const offset = sign === '-' ? -magnitude : magnitude
    const short = zoneNamePart(zone.short, date)
    const abbr = /^[A-Za-z]+$/.test(short) ? short : numericAbbr(offset)
    return { start: sec, end: sec + 1, offset, abbr }
  }
}

// ---------------------------------------------------------------------------------------------------
// TZif (RFC 9636), read the way Go's LoadLocationFromTZData does

interface ZoneType {
  readonly offset: number
  readonly isDst: boolean
  readonly abbr: string
}

interface TzifData {
  /** Transition times in Unix seconds, ascending; never empty (Go adds one at -inf when the file has none). */
  readonly times: number[]
  readonly typeIndices: number[]
  readonly types: ZoneType[]
  /** The POSIX TZ string after the v2+ data, '' when absent. */
  readonly footer: string
}

function parseTzif(data: Uint8Array, zone: string): TzifData {
  const fail = (why: string): never => {
    throw new Error(`malformed time zone file for ${JSON.stringify(zone)}: ${why}`)
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)

  const header = (at: number): { version: number; counts: number[] } => {
    if (at + 44 > data.length) fail('truncated header')
    if (data[at] !== 0x54 || data[at + 1] !== 0x5a || data[at + 2] !== 0x69 || data[at + 3] !== 0x66) {
      fail('not a TZif file')
    }
    const counts: number[] = []
    for (let i = 0; i < 6; i++) counts.push(view.getUint32(at + 20 + 4 * i))
    return { version: data[at + 4] ?? 0, counts }
  }

  const first = header(0)
  const version = first.version
  if (version !== 0 && version < 0x32) fail(`unsupported version byte ${version}`)
  const blockSize = (counts: number[], timeSize: number): number => {
    const [isut = 0, isstd = 0, leap = 0, time = 0, type = 0, char = 0] = counts
    return time * timeSize + time + type * 6 + char + leap * (timeSize + 4) + isstd + isut
  }

  let at = 44
  let counts = first.counts
  let timeSize = 4
  if (version >= 0x32) {
    at += blockSize(counts, 4)
    counts = header(at).counts
    at += 44
    timeSize = 8
  }
  const [, , , timeCount = 0, typeCount = 0, charCount = 0] = counts
  const end = at + blockSize(counts, timeSize)
  if (end > data.length) fail('truncated data block')
  if (typeCount === 0) fail('no local time types')

  const times: number[] = []
  for (let i = 0; i < timeCount; i++) {
    times.push(timeSize === 8 ? Number(view.getBigInt64(at + 8 * i)) : view.getInt32(at + 4 * i))
  }
  at += timeCount * timeSize
  const typeIndices: number[] = []
  for (let i = 0; i < timeCount; i++) {
    const index = data[at + i] ?? 0
    if (index >= typeCount) fail('transition refers to a missing local time type')
    typeIndices.push(index)
  }
  at += timeCount
  const charsAt = at + typeCount * 6
  const types: ZoneType[] = []
  for (let i = 0; i < typeCount; i++) {
    const p = at + 6 * i
    const abbrIndex = data[p + 5] ?? 0
    if (abbrIndex >= charCount) fail('abbreviation index out of range')
    let abbr = ''
    for (let c = charsAt + abbrIndex; c < charsAt + charCount && data[c] !== 0; c++) {
      abbr += String.fromCharCode(data[c] ?? 0)
    }
    types.push({ offset: view.getInt32(p), isDst: data[p + 4] !== 0, abbr })
  }

  let footer = ''
  if (timeSize === 8) {
    const rest = data.subarray(end)
    if (rest.length > 2 && rest[0] === 0x0a && rest[rest.length - 1] === 0x0a) {
      footer = String.fromCharCode(...rest.subarray(1, rest.length - 1))
    }
  }

  if (times.length === 0) {
    times.push(-Infinity)
    typeIndices.push(0)
  }
  return { times, typeIndices, types, footer }
}

/** Go's Location.lookupFirstZone: the type in effect before the first transition. */
function firstType(z: TzifData): ZoneType {
  const fallback = z.types[0] ?? UTC_TYPE
  if (!z.typeIndices.includes(0)) return fallback
  const firstIndex = z.typeIndices[0] ?? 0
  if (z.types[firstIndex]?.isDst === true) {
    for (let i = firstIndex - 1; i >= 0; i--) {
      const type = z.types[i]
      if (type !== undefined && !type.isDst) return type
    }
  }
  return z.types.find((type) => !type.isDst) ?? fallback
}

const UTC_TYPE: ZoneType = { offset: 0, isDst: false, abbr: 'UTC' }

function tzifLookup(z: TzifData): PeriodLookup {
  const { times, typeIndices, types } = z
  const rule = z.footer === '' ? undefined : parsePosixTz(z.footer)
  const before = firstType(z)
  const firstTime = times[0] ?? -Infinity
  const last = times.length - 1
  return (sec) => {
    if (sec < firstTime) return { start: -Infinity, end: firstTime, offset: before.offset, abbr: before.abbr }
    let lo = 0
    let hi = times.length
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1
      if (sec < (times[mid] ?? Infinity)) hi = mid
      else lo = mid
    }
    const start = times[lo] ?? -Infinity
    if (lo === last && rule !== undefined) {
      const period = posixPeriod(rule, start, sec)
      if (period !== undefined) return period
    }
    const type = types[typeIndices[lo] ?? 0] ?? UTC_TYPE
    return { start, end: times[lo + 1] ?? Infinity, offset: type.offset, abbr: type.abbr }
  }
}

// ---------------------------------------------------------------------------------------------------
// POSIX TZ strings ("CST-8", "EST5EDT,M3.2.0,M11.1.0", "<-03>3"), evaluated as Go's tzset does

interface TzRule {
  readonly kind: 'julian' | 'doy' | 'mwd'
  readonly day: number
  readonly week: number
  readonly month: number
  /** Seconds after local midnight. */
  readonly time: number
}

interface PosixTz {
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
function parsePosixTz(text: string): PosixTz | undefined {
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
      if (d + 7 >= daysIn(rule.month, year)) break
      d += 7
    }
    day = d + (DAYS_BEFORE_MONTH[rule.month - 1] ?? 0) + (isLeap(year) && rule.month > 2 ? 1 : 0)
  }
  return day * SECONDS_PER_DAY + rule.time - offset
}

/** Go's tzset: the period containing `sec` (which is at or after the last transition `lastTx`). */
function posixPeriod(tz: PosixTz, lastTx: number, sec: number): Period | undefined {
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
