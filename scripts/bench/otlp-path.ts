// The OTLP path: the relay's opentelemetry exporter sends flow_log.l7_flow_log records as spans over
// OTLP/gRPC to the counting receiver (otlp-receiver.ts, @grpc/grpc-js). spans/s = spans the receiver
// counted / time from the first posted body until the last of them arrived; CPU per span = the
// relay's CPU seconds over the measurement / those spans. No peer: nothing that turns DeepFlow
// records into spans is installable here (deepflow-server itself needs its ClickHouse and agents),
// so the report quotes the OpenTelemetry Collector's published figures as context only.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { relayConfig, relayExporter, startRelay } from './contenders.ts'
import type { Dataset } from './data.ts'
import { type Measurement, measurement, measureServed } from './measure.ts'
import { capture, CORES, now, spawnOn, stop } from './proc.ts'

export interface OtlpReceiver {
  /** host:port of the gRPC endpoint. */
  readonly endpoint: string
  readonly pid: number
  stats(): Promise<{ spans: number; requests: number; bytes: number; errors: number; first: number; last: number }>
  reset(): Promise<void>
  stop(): Promise<void>
}

/** Starts scripts/bench/otlp-receiver.ts on the non-contender core. */
export async function startOtlpReceiver(check: boolean): Promise<OtlpReceiver> {
  const script = fileURLToPath(new URL('./otlp-receiver.ts', import.meta.url))
  const child = spawnOn(CORES.rest, process.execPath, [script, ...(check ? ['--check'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] })
  const output = capture(child)
  const t0 = now()
  let ports: { port: number; statsPort: number } | undefined
  while (ports === undefined) {
    const m = /\{"port":(\d+),"statsPort":(\d+)\}/.exec(output())
    if (m !== null) ports = { port: Number(m[1]), statsPort: Number(m[2]) }
    else if (child.exitCode !== null || now() - t0 > 10_000) throw new Error(`OTLP receiver did not start:\n${output()}`)
    else await new Promise((r) => setTimeout(r, 10))
  }
  const base = `http://127.0.0.1:${ports.statsPort}`
  return {
    endpoint: `127.0.0.1:${ports.port}`,
    pid: child.pid!,
    stats: async () => (await (await fetch(`${base}/stats`)).json()) as Awaited<ReturnType<OtlpReceiver['stats']>>,
    reset: async () => void (await fetch(`${base}/reset`, { method: 'POST' })).arrayBuffer(),
    stop: () => stop(child),
  }
}

export function relayOtlpConfig(ds: Dataset, endpoint: string): string {
  return relayConfig(ds, [relayExporter('opentelemetry', endpoint, ds)])
}

export const OTLP_PATH = 'otlp, flow_log.l7_flow_log'

export interface OtlpOptions {
  readonly bin: string
  readonly workDir: string
  readonly perRequest: number
  readonly concurrency: number
  readonly idleMs: number
  readonly timeoutMs: number
  readonly rounds: number
  readonly log: (m: string) => void
}

/** `rounds` measurements of the relay exporting `ds` as spans to the receiver. */
export async function otlpRounds(ds: Dataset, receiver: OtlpReceiver, o: OtlpOptions): Promise<Measurement[]> {
  const ms: Measurement[] = []
  for (let round = 1; round <= o.rounds; round++) {
    o.log(`${OTLP_PATH}, round ${round}: relay (${ds.records} records)`)
    await receiver.reset()
    const server = await startRelay(o.bin, join(o.workDir, `otlp-${round}`), relayOtlpConfig(ds, receiver.endpoint), { idleMs: o.idleMs })
    try {
      const { load, served } = await measureServed(
        server,
        {
          url: `${server.url}/v1/records/${ds.ds}`,
          file: ds.files.ndjson,
          perRequest: o.perRequest,
          concurrency: o.concurrency,
          contentType: 'application/x-ndjson',
        },
        {
          delivered: async () => (await receiver.stats()).spans,
          target: () => ds.records,
          timeoutMs: o.timeoutMs,
          what: 'relay → OTLP receiver',
        },
        receiver.pid,
      )
      const stats = await receiver.stats()
      if (stats.errors > 0) throw new Error(`the OTLP receiver could not read ${stats.errors} requests`)
      const m = measurement({
        path: OTLP_PATH,
        contender: 'relay',
        round,
        ...served,
        wallS: (stats.last - load.start) / 1000,
        sinkRequests: stats.requests,
      })
      ms.push(m)
      o.log(`  ${(m.records / m.wallS).toFixed(0)} spans/s, ${((m.cpuS / m.records) * 1e6).toFixed(1)} CPU µs per span`)
    } finally {
      await server.stop()
    }
  }
  return ms
}
