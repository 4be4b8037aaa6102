// Growth curves of the relay alone: records per request (with `stdout` exporters writing to
// /dev/null, so only the relay's own work is measured, and with the prometheus exporter sending to
// the counting receiver, whose queue holds each record's encoded series), number of exporters (each
// takes every record), and record size (flow_metrics.network.1s against flow_log.l7_flow_log). The
// load generator posts for a fixed time; a point ends when every accepted record has left every
// exporter.
import { join } from 'node:path'
import { relayConfig, relaySent, type Server, startRelay } from './contenders.ts'
import type { Dataset } from './data.ts'
import { type Measurement, measurement, measureServed } from './measure.ts'

export interface CurvePoint {
  readonly ds: Dataset
  readonly perRequest: number
  readonly exporters: number
  readonly kind: 'stdout' | 'prometheus'
}

export interface CurveOptions {
  readonly bin: string
  readonly workDir: string
  readonly concurrency: number
  readonly durationS: number
  readonly idleMs: number
  readonly timeoutMs: number
  /** The counting receiver, for prometheus points. */
  readonly writeUrl: string | undefined
  /**
   * Runs once the relay is ready, before the load starts; the function it returns runs after the
   * point was measured (or failed), before the relay stops (scripts/bench/tap.ts: a tap subscriber).
   */
  readonly alongside?: (server: Server) => Promise<() => Promise<void>>
}

export const pointKey = (p: CurvePoint) => `${p.ds.ds}/${p.perRequest}/${p.exporters}×${p.kind}`

export function relayCurveConfig(ds: Dataset, exporters: number, kind: CurvePoint['kind'], writeUrl = ''): string {
  const entries = Array.from(
    { length: exporters },
    (_, i) =>
      kind === 'stdout'
        ? `  - {protocol: stdout, enabled: true, name: stdout-${i}, data-sources: [${ds.ds}], export-fields: [$tag, $metrics]}`
        : `  - {protocol: prometheus, enabled: true, name: prometheus-${i}, endpoints: [${writeUrl}], data-sources: [${ds.ds}], export-fields: [$tag, $metrics]}`,
  )
  return relayConfig(ds, entries)
}

export async function curvePoint(p: CurvePoint, round: number, o: CurveOptions): Promise<Measurement> {
  const dir = join(o.workDir, `curve-${pointKey(p).replace(/[^a-z0-9]/gi, '-')}-${round}`)
  if (p.kind === 'prometheus' && o.writeUrl === undefined) throw new Error('prometheus curve points need the receiver')
  const server = await startRelay(o.bin, dir, relayCurveConfig(p.ds, p.exporters, p.kind, o.writeUrl), {
    stdoutToNull: true,
    idleMs: o.idleMs,
  })
  let finish: (() => Promise<void>) | undefined
  try {
    finish = await o.alongside?.(server)
    const { served } = await measureServed(
      server,
      {
        url: `${server.url}/v1/records/${p.ds.ds}`,
        file: p.ds.files.ndjson,
        perRequest: p.perRequest,
        concurrency: o.concurrency,
        durationS: o.durationS,
        contentType: 'application/x-ndjson',
      },
      {
        delivered: () => relaySent(server.url),
        target: (l) => (l === undefined ? undefined : l.records * p.exporters),
        timeoutMs: o.timeoutMs,
        what: `relay curve ${pointKey(p)}`,
      },
    )
    return measurement({ path: 'curve', contender: pointKey(p), round, ...served })
  } finally {
    try {
      await finish?.()
    } finally {
      await server.stop()
    }
  }
}
