// The remote-write 1.0 message shapes (proto/prometheus/types.proto), as plain types.

export interface Label {
  readonly name: string
  readonly value: string
}

export interface Sample {
  readonly value: number
  /** Milliseconds since the Unix epoch. */
  readonly timestamp: number
}

export interface TimeSeries {
  readonly labels: readonly Label[]
  readonly samples: readonly Sample[]
}
