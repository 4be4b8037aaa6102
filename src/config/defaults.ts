// Every default of the configuration, in one place. DeepFlow's own defaults are marked.

export const DEFAULTS = {
  relay: {
    host: '127.0.0.1',
    port: 20480,
    maxBodyBytes: 16 * 1024 * 1024,
    timeZone: 'UTC',
    shutdownTimeout: 10,
    logLevel: 'info',
    overflow: 'reject',
    protectMetrics: true,
    limits: {
      maxRecordsPerRequest: 100_000,
      maxLineBytes: 1024 * 1024,
      maxDepth: 16,
      maxFields: 1024,
      maxStringBytes: 64 * 1024,
    },
    /** Seconds a client may take to send its request (slow or idle connections are closed). */
    clientTimeout: 30,
    /** Fractions of the memory budget (the OpenTelemetry Collector's memory_limiter: spike 20 %). */
    memorySoftLimit: 0.8,
    memoryHardLimit: 0.9,
    /** relay.max-concurrent-requests when not set: this many per CPU core (vmagent: 2 × cores). */
    concurrentRequestsPerCore: 2,
    /** How long a request waits for a slot before 503. */
    concurrencyWaitMs: 1000,
  },
  exporter: {
    queueCount: 4, // DeepFlow DefaultExportQueueCount
    queueSize: 100_000, // DeepFlow DefaultExportQueueSize (not rounded up to a power of two here)
    batchSize: 1024, // DeepFlow DefaultExportOtherBatchSize
    otlpBatchSize: 32, // DeepFlow DefaultExportOtlpBatchSize (protocol opentelemetry)
    flushTimeout: 1,
    queueMaxBytes: 64 * 1024 * 1024,
    requestTimeout: 30,
    maxRetryDuration: 300,
    compression: 'snappy', // DeepFlow's sarama producer uses snappy
    maxMessageBytes: 1_000_000, // sarama's Producer.MaxMessageBytes default (1 MB)
    /** `buffer: {type: disk}`: bytes of the exporter's files on disk, and seconds between fsyncs. */
    bufferMaxBytes: 2 ** 30,
    bufferSyncInterval: 0.5,
    /** The least buffer.max-bytes per queue: each queue's segment log needs room for several segments. */
    bufferMinBytesPerQueue: 2 ** 20,
  },
  /** A `sources: - clickhouse:` entry. */
  clickhouse: {
    user: 'default', // ClickHouse's own default user
    interval: 5,
    batchRows: 10_000,
    /** Seconds before a row is read: DeepFlow writes a minute's rows after the minute, the others within seconds. */
    settle: { '1m': 180, '1s': 30, flow_log: 30, event: 30 },
    /** Seconds one query may take before it is abandoned and retried. */
    queryTimeout: 60,
  },
  /** relay.universal-tags: {clickhouse: …}: seconds between loads of the flow_tag maps (DeepFlow's own cadence). */
  dictionaryRefresh: 60,
  /**
   * What the process needs beside its queues (runtime, code, HTTP, requests in flight): the budget
   * must hold Σ queue-max-bytes plus this.
   */
  memoryReserve: 100 * 1024 * 1024,
  /** deepflow-server panics above this many queues (MAX_QUEUE_COUNT). */
  maxQueueCount: 16,
} as const

export const SUGGESTED_EXPORT_FIELDS = ['$tag', '$metrics'] as const
