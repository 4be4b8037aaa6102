// Zone offsets and abbreviations from Intl.DateTimeFormat: the fallback used when no TZif file is available.
// Alphabetic short names ("EDT") are kept; otherwise the abbreviation is tzdata's numeric form ("+08").

import type { PeriodLookup } from './period.ts'

export interface IntlZone {
  /** The zone name as Intl resolves it (e.g. "Asia/Calcutta" for "Asia/Kolkata" on some engines). */
  readonly canonical: string
  readonly longOffset: Intl.DateTimeFormat
  readonly short: Intl.DateTimeFormat
}

const intlZones = new Map<string, IntlZone | null>()

/** The Intl formatters for `zone`, cached; undefined when Intl does not know the zone. */
export function intlZone(zone: string): IntlZone | undefined {
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

/** Period lookup asking Intl about each second; periods are one second long since Intl reports no transitions. */
export function intlLookup(zone: IntlZone): PeriodLookup {
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

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n))

/** tzdata's numeric abbreviation ("%z" style): "+08", "+0530", "-03", with seconds only when non-zero. */
export function numericAbbr(offset: number): string {
  const abs = Math.abs(offset)
  const h = Math.floor(abs / 3600)
  const m = Math.floor((abs % 3600) / 60)
  const s = abs % 60
  let text = (offset < 0 ? '-' : '+') + pad2(h)
  if (m !== 0 || s !== 0) text += pad2(m)
  if (s !== 0) text += pad2(s)
  return text
}
