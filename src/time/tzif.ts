// TZif zone files (RFC 9636), parsed and searched the way Go's LoadLocationFromTZData and Location.lookup do.
// Instants after the last transition are handed to the file's POSIX TZ footer rule.

import type { Period, PeriodLookup } from './period.ts'
import { parsePosixTz, posixPeriod } from './posix-tz.ts'

export interface ZoneType {
  /** Seconds east of UTC. */
  readonly offset: number
  readonly isDst: boolean
  readonly abbr: string
}

export interface TzifData {
  /** Transition times in Unix seconds, ascending; never empty (Go adds one at -inf when the file has none). */
  readonly times: number[]
  readonly typeIndices: number[]
  readonly types: ZoneType[]
  /** The POSIX TZ string after the v2+ data, '' when absent. */
  readonly footer: string
}

const UTC_TYPE: ZoneType = { offset: 0, isDst: false, abbr: 'UTC' }

/** Parses a TZif file; throws an Error naming `zone` if it is malformed. */
export function parseTzif(data: Uint8Array, zone: string): TzifData {
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

/** Period lookup over the file's transitions (binary search), then its footer rule past the last one. */
export function tzifLookup(z: TzifData): PeriodLookup {
  const { times, typeIndices, types } = z
  const rule = z.footer === '' ? undefined : parsePosixTz(z.footer)
  const before = firstType(z)
  const firstTime = times[0] ?? -Infinity
  const last = times.length - 1
  return (sec): Period => {
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
