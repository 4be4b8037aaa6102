// The unit every zone source answers with: a span of time during which a zone's UTC offset and abbreviation
// stay the same, and the lookup function that finds the span containing an instant.

/** A stretch of time, [start, end) in Unix seconds, during which a zone's offset and abbreviation stay the same. */
export interface Period {
  readonly start: number
  readonly end: number
  /** Seconds east of UTC. */
  readonly offset: number
  readonly abbr: string
}

/** Returns the period containing `sec` (Unix seconds). */
export type PeriodLookup = (sec: number) => Period
