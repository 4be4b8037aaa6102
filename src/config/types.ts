// The validated, internal configuration. External kebab-case keys (DeepFlow's spelling) are mapped
// to these camelCase names by the loader (config-file/) only.

export const PROTOCOLS = ['kafka', 'prometheus', 'stdout', 'opentelemetry'] as const
export type Protocol = (typeof PROTOCOLS)[number]

export const OPERATORS = ['=', '!=', 'in', 'not in', ':', '!:', '~', '!~'] as const
export type Operator = (typeof OPERATORS)[number]
/** '' when no operator is given: DeepFlow's INVALID_OPERATOR_ID, a filter that matches every value. */
export type FilterOperator = Operator | ''

export type Condition = 'and' | 'or'

export interface TagFilter {
  readonly fieldName: string
  readonly operator: FilterOperator
  readonly fieldValues: readonly string[]
}

export interface TagFiltersGroup {
  readonly condition: Condition
  readonly filters: readonly TagFilter[]
}

export interface Sasl {
  readonly enabled: boolean
  readonly securityProtocol: string
  readonly saslMechanism: string
  readonly username: string
  readonly password: string
}

export interface ExporterConfig {
  /** Position in the config file's exporter list. */
  readonly index: number
  readonly name: string
  readonly protocol: Protocol
  readonly enabled: boolean
  readonly endpoints: readonly string[]
  readonly dataSources: readonly string[]
  readonly queueCount: number
  readonly queueSize: number
  readonly queueMaxBytes: number
  readonly batchSize: number
  /** Seconds a record may wait in a partial batch. */
  readonly flushTimeout: number
  readonly tagFilters: readonly TagFilter[]
  readonly tagFilterCondition: Condition
  readonly tagFiltersGroups: readonly TagFiltersGroup[]
  readonly exportFields: readonly string[]
  readonly exportEmptyTag: boolean
  readonly exportEmptyMetricsDisabled: boolean
  readonly enumTranslateToNameDisabled: boolean
  readonly universalTagTranslateToNameDisabled: boolean
  readonly sasl: Sasl | null
  readonly topic: string | null
  readonly extraHeaders: Readonly<Record<string, string>>
  /** Relay-only: seconds one send attempt may take. */
  readonly requestTimeout: number
  /** Relay-only: seconds a batch is retried before it is dropped (retries_exhausted). */
  readonly maxRetryDuration: number
  /** Relay-only: TLS for https remote-write endpoints and Kafka brokers (SASL_SSL, or SSL alone). */
  readonly tls: TlsSettings | null
  /** Relay-only, Kafka: the produce compression (DeepFlow: snappy). */
  readonly compression: KafkaCompression
  /** Relay-only, Kafka: a record whose JSON line is longer is dropped alone (too_large). */
  readonly maxMessageBytes: number
  /** Relay-only, opentelemetry: DeepFlow's exact spans, its quirks included (self-parented spans, the TapPort error text). */
  readonly deepflowQuirks: boolean
  /** Relay-only: where the queues live (memory, the default; or a durable buffer on disk). */
  readonly buffer: BufferConfig
}

/** An exporter's `buffer:`: the queues in memory, or a durable buffer on disk. */
export type BufferConfig =
  | { readonly type: 'memory' }
  | {
    readonly type: 'disk'
    /** The parent directory (resolved against the config file); the exporter's files are in `<path>/<exporter name>/q<queue>/`. */
    readonly path: string
    /** Bound of the exporter's files on disk, framing included. */
    readonly maxBytes: number
    /** Seconds between fsyncs; 0: fsync before answering 202. */
    readonly syncInterval: number
  }

export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy'] as const
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number]

export interface TlsSettings {
  /** PEM file of the CA(s) to trust instead of the system ones. */
  readonly caFile: string | null
  readonly insecureSkipVerify: boolean
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface ListenAddress {
  readonly host: string
  readonly port: number
}

export interface RelaySettings {
  readonly listen: ListenAddress
  readonly maxBodyBytes: number
  readonly timeZone: string
  /** Where resource names come from (relay.universal-tags): a file, DeepFlow's ClickHouse, or none. */
  readonly universalTags: UniversalTagsConfig | null
  /** Seconds allowed for flushing queues on SIGTERM/SIGINT. */
  readonly shutdownTimeout: number
  readonly logLevel: LogLevel
  /** Bearer token ingest requires (relay.auth-token or DEEPFLOW_RELAY_AUTH_TOKEN); null: none. */
  readonly authToken: string | null
  /** Whether /metrics also requires the token (when one is set). */
  readonly protectMetrics: boolean
  /** TLS for the listener. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null
  /** A full queue: answer 429 (reject) or evict the oldest records (drop-oldest, DeepFlow's ring buffer). */
  readonly overflow: Overflow
  readonly limits: IngestLimits
  /** Seconds a client may take to send its request. */
  readonly clientTimeout: number
  /** relay.memory-limit in bytes: the budget, instead of the cgroup's limit; null: the cgroup's (if any). */
  readonly memoryLimit: number | null
  /** Fractions of the budget: above soft, new ingest is refused (and a collection requested); above hard, at once. */
  readonly memorySoftLimit: number
  readonly memoryHardLimit: number
  /** Ingest requests read and parsed at once; null: 2 × the CPU cores. */
  readonly maxConcurrentRequests: number | null
}

/** relay.universal-tags: a dictionary file, or DeepFlow's flow_tag dictionaries in ClickHouse. */
export type UniversalTagsConfig =
  | { readonly kind: 'file'; readonly path: string }
  | {
    readonly kind: 'clickhouse'
    readonly url: string
    readonly user: string
    readonly password: string
    /** A database every record reads (`database`, or `org-id` N's); null: by each record's org_id. */
    readonly database: string | null
    /** `org-id` as written (shown by `check`); null when not given. */
    readonly orgId: number | null
    /** Seconds between loads. */
    readonly refresh: number
  }

export const OVERFLOW_MODES = ['reject', 'drop-oldest'] as const
export type Overflow = (typeof OVERFLOW_MODES)[number]

export interface IngestLimits {
  readonly maxRecordsPerRequest: number
  /** Longest NDJSON line, and longest single-object body. */
  readonly maxLineBytes: number
  /** Deepest nesting of arrays and objects inside a record. */
  readonly maxDepth: number
  /** Most keys in one record. */
  readonly maxFields: number
  /** Longest string value. */
  readonly maxStringBytes: number
}

export interface SkippedExporter {
  readonly path: string
  readonly reason: string
}

export interface Config {
  /** The file the config came from, or null for the embedded default. */
  readonly file: string | null
  /** Where the exporter list is in the file (`exporters`, or `ingester.exporters` of a server.yaml): problems found after parsing name their exporter by it. */
  readonly exportersPath: readonly (string | number)[]
  readonly relay: RelaySettings
  /** Enabled exporters of a known protocol, in file order. */
  readonly exporters: readonly ExporterConfig[]
  readonly skipped: readonly SkippedExporter[]
  /** Feeders that pull records (ClickHouse), in file order. */
  readonly sources: readonly ClickHouseSourceConfig[]
  readonly warnings: readonly string[]
}

/** The kinds of table a ClickHouse source's `settle` names: flow_metrics `*.1m`, flow_metrics `*.1s`, `flow_log.*`, `event.*`. */
export type SettleKind = '1m' | '1s' | 'flow_log' | 'event'

/** One entry of the top-level `sources:` list (a ClickHouse feeder). */
export interface ClickHouseSourceConfig {
  /** `clickhouse-<index>`: the `source` label in /metrics. */
  readonly name: string
  readonly url: string
  readonly user: string
  readonly password: string
  readonly dataSources: readonly string[]
  /** Seconds between polls once caught up. */
  readonly interval: number
  /** Unix seconds to start from when the cursor file has no position; null: now (no backfill). */
  readonly since: number | null
  readonly batchRows: number
  readonly cursorFile: string | null
  /** Seconds a row's `time` must be behind now before it is read (DeepFlow writes with some delay), per kind of table. */
  readonly settle: Readonly<Record<SettleKind, number>>
}
