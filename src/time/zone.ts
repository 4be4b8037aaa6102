// Time-zone lookup: a zone name to its offset and abbreviation periods, from the system TZif file
// (through an injected reader) or, when no file is available, from Intl. Names Go's LoadLocation
// would refuse are refused here too.
import { intlLookup, intlZone } from './intl-zone.ts'
import type { Period, PeriodLookup } from './period.ts'
import { parseTzif, tzifLookup } from './tzif.ts'

/** Reads a TZif file of the system zoneinfo database by zone name (e.g. "Asia/Shanghai"); undefined when absent. */
export type ZoneFileReader = (zone: string) => Uint8Array | undefined

export const UTC_PERIOD: Period = { start: -Infinity, end: Infinity, offset: 0, abbr: 'UTC' }

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

/** The zone's offset and abbreviation periods: from the TZif file when there is one, else Intl. */
export function zoneLookup(zone: string, readZoneFile: ZoneFileReader | undefined): PeriodLookup {
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
