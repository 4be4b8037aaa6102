// Growth curves of the relay alone: records per request (with `stdout` exporters writing to
// /dev/null, so only the relay's own work is measured, and with the prometheus exporter sending to
// the counting receiver, whose queue holds each record's encoded series), number of exporters (each
// takes every record), and record size (flow_metrics.network.1s against flow_log.l7_flow_log). The
// load generator posts for a fixed time; a point ends when every accepted record has left every
// exporter.
import { join } from 'node:path'
import { relaySent, startRelay } from './contenders.ts'
import type { Dataset } from './data.ts'
import { busySince, type Measurement, startLoad, usage, waitDelivered } from './measure.ts'
import { cpuSeconds, loadSnapshot } from './proc.ts'

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
  return `relay:\n  universal-tags: ${ds.files.dictionary}\nexporters:\n${entries.join('\n')}\n`
}

export async function curvePoint(p: CurvePoint, round: number, o: CurveOptions): Promise<Measurement> {
  const dir = join(o.workDir, `curve-${pointKey(p).replace(/[^a-z0-9]/gi, '-')}-${round}`)
  if (p.kind === 'prometheus' && o.writeUrl === undefined) throw new Error('prometheus curve points need the receiver')
  const server = await startRelay(o.bin, dir, relayCurveConfig(p.ds, p.exporters, p.kind, o.writeUrl), {
    stdoutToNull: true,
    idleMs: o.idleMs,
  })
  try {
    const load0 = loadSnapshot()
    const cpu0 = cpuSeconds(server.pid)
    const load = startLoad(`${server.url}/v1/records/${p.ds.ds}`, p.ds.files.ndjson, {
      perRequest: p.perRequest,
      concurrency: o.concurrency,
      durationS: o.durationS,
      contentType: 'application/x-ndjson',
    })
    const done = await waitDelivered(load, () => relaySent(server.url), (l) => (l === undefined ? undefined : l.records * p.exporters), {
      timeoutMs: o.timeoutMs,
      pollMs: 20,
      what: `relay curve ${pointKey(p)}`,
    })
    const { cpuS, peakRssMb } = usage(server.pid, cpu0)
    const busy = busySince(load0)
    return {
      path: 'curve',
      contender: pointKey(p),
      round,
      records: done.load.records,
      samples: 0,
      bytes: done.load.bytes,
      wallS: (done.seenAt - done.load.start) / 1000,
      cpuS,
      peakRssMb,
      idleRssMb: server.idleRssMb,
      startupMs: server.startupMs,
      retries: done.load.retries,
      sinkRequests: null,
      sinkCpuS: null,
      ...busy,
    }
  } finally {
    await server.stop()
  }
}
