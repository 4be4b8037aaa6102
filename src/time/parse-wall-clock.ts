// ClickHouse's JSONEachRow writes DateTime and DateTime64 as wall-clock text in the server's time
// zone ("2026-11-21 23:52:29", "2026-11-21 23:52:29.123456"): back to microseconds since the epoch.
// A wall time that a DST change makes ambiguous or skipped resolves as Go's time.Date does.
import { type ZoneFileReader, zoneLookup } from './zone.ts'
import { daysFromCivil, SECONDS_PER_DAY } from './civil.ts'

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/

/** Parses wall-clock text in `zone`; undefined when the text is not such a time. */
export type WallClockParser = (text: string) => number | undefined

export function createWallClockParser(zone: string, readZoneFile?: ZoneFileReader): WallClockParser {
  const lookup = zoneLookup(zone, readZoneFile)
  return (text) => {
    const m = WALL_CLOCK.exec(text)
    if (m === null) return undefined
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
    const local = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second
    const guess = local - lookup(local).offset
    const utc = local - lookup(guess).offset
    const micros = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0').slice(0, 6))
    return utc * 1e6 + micros
  }
}
