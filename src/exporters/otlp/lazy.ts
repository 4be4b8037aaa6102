// The OTLP exporter's modules (protobufjs, the OTLP descriptor, the span encoder, the sinks) are
// loaded only when a config has an opentelemetry exporter, as kafkajs and the remote-write decoder
// are: a relay without one never pays for them (about 10 MB resident and start-up time in the
// binary). Whoever builds exporters from a config awaits loadExportersFor() first (main.ts at
// start, the relay before a reload swaps exporters in); build-exporter.ts then takes the loaded
// module synchronously.
import type { ExporterConfig } from '../../config/types.ts'

type OtlpModule = typeof import('./otlp-module.ts')

let loaded: OtlpModule | undefined

/** Loads the OTLP modules when `exporters` has an opentelemetry exporter. */
export async function loadExportersFor(exporters: readonly ExporterConfig[]): Promise<void> {
  if (loaded === undefined && exporters.some((e) => e.protocol === 'opentelemetry')) loaded = await import('./otlp-module.ts')
}

/** The loaded OTLP modules; throws when loadExportersFor() was not awaited first (a bug). */
export function otlpModule(): OtlpModule {
  if (loaded === undefined) throw new Error('the OTLP exporter modules were used before loadExportersFor() (bug)')
  return loaded
}
