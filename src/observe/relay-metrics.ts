// Every counter and histogram the relay exports, by name, and the sources' lag (source-lag.ts); the
// exporter gauges (read at scrape time) are registered by relay-gauges.ts. See README "Metrics
// reference".
import { Registry } from './metrics.ts'
import { registerSourceLag } from './source-lag.ts'

export function createRelayMetrics(registry = new Registry()) {
  return {
    registry,
    requests: registry.counter('deepflow_relay_ingest_requests_total', 'Ingest HTTP requests by response status code.', ['code']),
    received: registry.counter('deepflow_relay_records_received_total', 'Valid records in ingest requests (accepted or refused).', [
      'data_source',
    ]),
    rejected: registry.counter('deepflow_relay_records_rejected_total', 'Records rejected as invalid (never queued).', [
      'data_source',
      'reason',
    ]),
    refused: registry.counter(
      'deepflow_relay_records_refused_total',
      'Valid records of requests answered 429 or 413 because queues lacked room (never accepted).',
      ['data_source'],
    ),
    requestsRefused: registry.counter(
      'deepflow_relay_requests_refused_total',
      'Ingest requests refused before their body was read, by reason: memory (near the memory budget), queue_full (an exporter of the data source has no room, or less than what a body of that size took lately), concurrency (no slot among relay.max-concurrent-requests in time).',
      ['reason'],
    ),
    unknownFields: registry.counter(
      'deepflow_relay_unknown_fields_total',
      'Record keys that are not fields of the data source (ignored).',
      ['data_source'],
    ),
    filtered: registry.counter('deepflow_relay_records_filtered_total', 'Records an exporter did not take because of its tag filters.', [
      'exporter',
      'data_source',
    ]),
    sent: registry.counter('deepflow_relay_records_sent_total', 'Records delivered by an exporter.', ['exporter']),
    dropped: registry.counter('deepflow_relay_records_dropped_total', 'Records accepted and then lost, by reason.', ['exporter', 'reason']),
    batches: registry.counter('deepflow_relay_batches_sent_total', 'Batches delivered by an exporter.', ['exporter']),
    retries: registry.counter('deepflow_relay_send_retries_total', 'Batch send attempts that failed and were retried.', ['exporter']),
    seriesSent: registry.counter('deepflow_relay_series_sent_total', 'Remote-write series delivered.', ['exporter']),
    seriesDropped: registry.counter(
      'deepflow_relay_series_dropped_total',
      'Remote-write series accepted and then lost, by reason (as records_dropped_total), plus invalid_labels.',
      ['exporter', 'reason'],
    ),
    rwRequests: registry.counter(
      'deepflow_relay_remote_write_requests_total',
      'Remote-write requests by endpoint and outcome (2xx, 4xx, 5xx, timeout, error).',
      ['exporter', 'endpoint', 'status'],
    ),
    otlpRequests: registry.counter(
      'deepflow_relay_otlp_requests_total',
      'OpenTelemetry (OTLP) export requests by endpoint and outcome: the gRPC status code name (OK, UNAVAILABLE, …) or the HTTP class (2xx, 4xx, 5xx), or timeout, error.',
      ['exporter', 'endpoint', 'status'],
    ),
    failovers: registry.counter(
      'deepflow_relay_endpoint_failovers_total',
      'Moves of a queue to the next endpoint after a retryable failure.',
      ['exporter'],
    ),
    kafkaRequests: registry.counter('deepflow_relay_kafka_produce_requests_total', 'Kafka produce calls by outcome (ok, error).', [
      'exporter',
      'outcome',
    ]),
    kafkaBytes: registry.counter(
      'deepflow_relay_kafka_bytes_sent_total',
      'Bytes of Kafka message values delivered (JSON lines, before compression).',
      ['exporter'],
    ),
    kafkaErrors: registry.counter(
      'deepflow_relay_kafka_errors_total',
      'Kafka produce errors by kind: too_large, authentication, connection, timeout, retriable, rejected.',
      ['exporter', 'kind'],
    ),
    kafkaThrottle: registry.counter(
      'deepflow_relay_kafka_throttle_seconds_total',
      'Throttle time Kafka brokers asked in produce answers (throttle_time_ms: the client is over its quota), in seconds.',
      ['exporter'],
    ),
    rwIngestRequests: registry.counter(
      'deepflow_relay_remote_write_ingest_requests_total',
      'Remote-write ingest requests (POST /api/v1/write) by response status code.',
      ['code'],
    ),
    rwSeriesReceived: registry.counter(
      'deepflow_relay_remote_write_series_received_total',
      'Valid series in remote-write ingest requests (accepted or refused).',
      ['data_source'],
    ),
    rwSeriesRejected: registry.counter(
      'deepflow_relay_remote_write_series_rejected_total',
      'Invalid series in remote-write ingest requests (never queued), by reason; data_source is empty when the datasource label is missing or not a flow_metrics data source.',
      ['data_source', 'reason'],
    ),
    rwSeriesUnrouted: registry.counter(
      'deepflow_relay_remote_write_series_unrouted_total',
      'Valid remote-write series of a data source that no prometheus exporter takes (not queued).',
      ['data_source'],
    ),
    sourceRows: registry.counter('deepflow_relay_source_rows_total', 'Rows a source read from ClickHouse.', ['source', 'data_source']),
    sourceQueries: registry.counter('deepflow_relay_source_queries_total', 'ClickHouse queries of a source by outcome (ok, error).', [
      'source',
      'outcome',
    ]),
    sourceWaits: registry.counter(
      'deepflow_relay_source_waits_total',
      'Times a source waited because the exporter queues were full or the memory limiter refused a page.',
      [
        'source',
      ],
    ),
    sourceLag: registerSourceLag(registry),
    replayed: registry.counter(
      'deepflow_relay_records_replayed_total',
      'Records a durable buffer held from an earlier run of the relay, read back at start to be sent (again: at least once).',
      ['exporter'],
    ),
    bufferCorrupt: registry.counter(
      'deepflow_relay_buffer_corrupt_total',
      'Damaged or torn entries, missing segments and stray ledgers a durable buffer skipped (each logged with its position).',
      ['exporter'],
    ),
    bufferErrors: registry.counter(
      'deepflow_relay_buffer_errors_total',
      'Failed writes of a durable buffer, by error code (ENOSPC, EIO, EROFS, ...): ingest is answered 503 meanwhile.',
      ['exporter', 'code'],
    ),
    dictionaryRefreshes: registry.counter(
      'deepflow_relay_dictionary_refreshes_total',
      'Loads of the universal-tag names from ClickHouse, by outcome (ok, error).',
      ['outcome'],
    ),
    sendDuration: registry.histogram('deepflow_relay_send_duration_seconds', 'Time of one batch send attempt.', ['exporter']),
  }
}

export type RelayMetrics = ReturnType<typeof createRelayMetrics>
