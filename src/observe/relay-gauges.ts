// The relay's gauges of its exporters, read at scrape time from the exporters running then (a reload
// replaces them): queue fill and bounds, exporter up, and endpoint up for the endpoints that keep
// their own state (remote write). See README "Metrics reference". observe/ sits below the pipeline:
// an exporter is seen through the few members the gauges read.
import type { Registry } from './metrics.ts'

/** What the gauges read of an exporter (pipeline/exporter.ts's Exporter has these). */
export interface GaugedExporter {
  readonly config: { readonly name: string; readonly queueSize: number; readonly queueCount: number; readonly queueMaxBytes: number }
  held(): { readonly records: number; readonly bytes: number }
  healthy(): boolean
  endpoints(): readonly { readonly endpoint: string; readonly up: boolean; readonly ownState: boolean }[]
  buffer(): { readonly bytes: number; readonly maxBytes: number; readonly error: string | null } | null
}

export function registerExporterGauges(registry: Registry, exporters: () => readonly GaugedExporter[]): void {
  const perExporter = (value: (e: GaugedExporter) => number) => () => exporters().map((e) => [[e.config.name], value(e)] as const)
  registry.gauge(
    'deepflow_relay_queue_records',
    'Records held by the exporter queues (waiting or in flight).',
    ['exporter'],
    perExporter((e) => e.held().records),
  )
  registry.gauge(
    'deepflow_relay_queue_bytes',
    'Bytes held by the exporter queues (waiting or in flight).',
    ['exporter'],
    perExporter((e) => e.held().bytes),
  )
  registry.gauge(
    'deepflow_relay_queue_capacity_records',
    'queue-size × queue-count of the exporter.',
    ['exporter'],
    perExporter((e) => e.config.queueSize * e.config.queueCount),
  )
  registry.gauge(
    'deepflow_relay_queue_capacity_bytes',
    'queue-max-bytes of the exporter.',
    ['exporter'],
    perExporter((e) => e.config.queueMaxBytes),
  )
  registry.gauge(
    'deepflow_relay_endpoint_up',
    '1 unless the last request to the endpoint failed (1 before the first).',
    ['exporter', 'endpoint'],
    () =>
      exporters().flatMap((e) =>
        e.endpoints().filter((ep) => ep.ownState).map((ep) => [[e.config.name, ep.endpoint], ep.up ? 1 : 0] as const)
      ),
  )
  const buffered = (value: (b: NonNullable<ReturnType<GaugedExporter['buffer']>>) => number) => () =>
    exporters().flatMap((e) => {
      const b = e.buffer()
      return b === null ? [] : [[[e.config.name], value(b)] as const]
    })
  registry.gauge(
    'deepflow_relay_buffer_bytes',
    "Bytes of a durable buffer's files still needed (buffer: {type: disk}).",
    ['exporter'],
    buffered((b) => b.bytes),
  )
  registry.gauge('deepflow_relay_buffer_capacity_bytes', "A durable buffer's max-bytes.", ['exporter'], buffered((b) => b.maxBytes))
  registry.gauge(
    'deepflow_relay_buffer_writable',
    '1 unless the last write of the durable buffer failed (ingest is answered 503 meanwhile).',
    ['exporter'],
    buffered((b) => (b.error === null ? 1 : 0)),
  )
  registry.gauge(
    'deepflow_relay_exporter_up',
    '1 unless the last send attempt of the exporter failed.',
    ['exporter'],
    perExporter((e) => (e.healthy() ? 1 : 0)),
  )
}
