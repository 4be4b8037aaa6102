// The remote-write path: the relay (prometheus exporter) and vmagent (Influx /write) each forward
// the same records to the counting receiver; samples/s = samples the receiver decoded / time from
// the first posted body until the last of them arrived; samples per CPU-second = those samples / the
// contender's CPU seconds. One case is a (data source, records per request) pair; remoteWriteCases()
// measures every case, round-robin, both contenders per round (odd rounds relay first) and, when
// checking, requires the receiver's digest of all samples to be the same for both.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { relayConfig, relayExporter, type Server, startRelay, startVmagent } from './contenders.ts'
import type { Dataset } from './data.ts'
import type { GeneratedDataSource } from './records.ts'
import { type Measurement, measurement, measureServed } from './measure.ts'
import { capture, CORES, now, spawnOn, stop } from './proc.ts'

export interface Receiver {
  readonly writeUrl: string
  readonly pid: number
  stats(): Promise<ReceiverStats>
  reset(): Promise<void>
  stop(): Promise<void>
}

export interface ReceiverStats {
  samples: number
  series: number
  requests: number
  bytes: number
  errors: number
  first: number
  last: number
  distinct: number
  digest: string
}

/** Starts scripts/bench/receiver.ts on the non-contender core. */
export async function startReceiver(check: boolean): Promise<Receiver> {
  const script = fileURLToPath(new URL('./receiver.ts', import.meta.url))
  const child = spawnOn(CORES.rest, process.execPath, [script, '--port', '0', ...(check ? ['--check'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output = capture(child)
  const t0 = now()
  let port = 0
  while (port === 0) {
    const m = /\{"port":(\d+)\}/.exec(output())
    if (m !== null) port = Number(m[1])
    else if (child.exitCode !== null || now() - t0 > 10_000) throw new Error(`receiver did not start:\n${output()}`)
    else await new Promise((r) => setTimeout(r, 10))
  }
  const base = `http://127.0.0.1:${port}`
  return {
    writeUrl: `${base}/api/v1/write`,
    pid: child.pid!,
    stats: async () => (await (await fetch(`${base}/stats`)).json()) as ReceiverStats,
    reset: async () => void (await fetch(`${base}/reset`, { method: 'POST' })).arrayBuffer(),
    stop: () => stop(child),
  }
}

/** The flow_metrics data sources the remote-write comparison runs on. */
export const RW_WORKLOADS = [
  'flow_metrics.network.1s',
  'flow_metrics.network_map.1s',
  'flow_metrics.application_map.1s',
] as const satisfies readonly GeneratedDataSource[]
export type RwWorkload = (typeof RW_WORKLOADS)[number]

/** One comparison: a data source posted `perRequest` records per request. */
export interface RwCase {
  readonly ds: RwWorkload
  readonly perRequest: number
}

/** The Measurement.path of a case's measurements. */
export const casePath = (c: RwCase): string => `remote write, ${c.ds}, ${c.perRequest} records/request`

/** Remote-write samples per CPU-second of the contender. */
export const samplesPerCpuS = (m: Measurement): number => m.samples / m.cpuS

export interface RwOptions {
  readonly bin: string
  readonly workDir: string
  readonly perRequest: number
  readonly concurrency: number
  readonly idleMs: number
  readonly timeoutMs: number
}

export function relayRwConfig(ds: Dataset, writeUrl: string): string {
  return relayConfig(ds, [relayExporter('prometheus', writeUrl, ds)])
}

/** One measurement of one contender; returns it with the receiver's digest (when checking). */
export async function remoteWriteRound(
  contender: 'relay' | 'vmagent',
  ds: Dataset,
  receiver: Receiver,
  round: number,
  o: RwOptions & { readonly path: string },
): Promise<{ m: Measurement; digest: string }> {
  await receiver.reset()
  const dir = join(o.workDir, `rw-${contender}-${round}`)
  const server: Server = contender === 'relay'
    ? await startRelay(o.bin, dir, relayRwConfig(ds, receiver.writeUrl), { idleMs: o.idleMs })
    : await startVmagent(dir, receiver.writeUrl, { idleMs: o.idleMs })
  try {
    const batching = { perRequest: o.perRequest, concurrency: o.concurrency }
    const { load, served } = await measureServed(
      server,
      contender === 'relay'
        ? { url: `${server.url}/v1/records/${ds.ds}`, file: ds.files.ndjson, ...batching, contentType: 'application/x-ndjson' }
        : { url: `${server.url}/write?precision=s`, file: ds.files.influx, ...batching, contentType: 'text/plain' },
      {
        delivered: async () => (await receiver.stats()).samples,
        target: () => ds.samples,
        timeoutMs: o.timeoutMs,
        what: `${contender} → receiver`,
      },
      receiver.pid,
    )
    const stats = await receiver.stats()
    if (stats.errors > 0) throw new Error(`receiver could not decode ${stats.errors} requests from ${contender}`)
    const m = measurement({
      path: o.path,
      contender,
      round,
      ...served,
      samples: stats.samples,
      wallS: (stats.last - load.start) / 1000,
      sinkRequests: stats.requests,
    })
    return { m, digest: stats.digest }
  } finally {
    await server.stop()
  }
}

export interface RwCasesOptions extends Omit<RwOptions, 'perRequest'> {
  readonly rounds: number
  readonly check: boolean
  readonly log: (m: string) => void
}

/**
 * Every case, `rounds` times round-robin (a burst of outside load hits one run of a case, not all of
 * them), both contenders per case and round, odd rounds relay first. With `check`, a case whose two
 * contenders left different receiver digests fails. Returns the measurements and the checks made.
 */
export async function remoteWriteCases(
  cases: readonly { readonly c: RwCase; readonly data: Dataset }[],
  receiver: Receiver,
  o: RwCasesOptions,
): Promise<{ ms: Measurement[]; checks: string[] }> {
  const ms: Measurement[] = []
  const checks: string[] = []
  for (let round = 1; round <= o.rounds; round++) {
    for (const { c, data } of cases) {
      const path = casePath(c)
      const order = round % 2 === 1 ? (['relay', 'vmagent'] as const) : (['vmagent', 'relay'] as const)
      const digests: Record<string, string> = {}
      for (const contender of order) {
        o.log(`${path}, round ${round}: ${contender} (${data.records} records, ${data.samples} samples)`)
        const { m, digest } = await remoteWriteRound(contender, data, receiver, round, { ...o, perRequest: c.perRequest, path })
        ms.push(m)
        digests[contender] = digest
        o.log(
          `  ${(m.samples / m.wallS).toFixed(0)} samples/s, ${m.cpuS.toFixed(2)} CPU s, ${samplesPerCpuS(m).toFixed(0)} samples per CPU-s`,
        )
      }
      if (!o.check) continue
      if (digests.relay !== digests.vmagent) {
        throw new Error(
          `${path}, round ${round}: the receiver got different samples from the relay (${digests.relay}) and vmagent (${digests.vmagent}); is dist/deepflow-relay built from this src/?`,
        )
      }
      checks.push(
        `${path}, round ${round}: the receiver decoded the same ${data.samples} samples (labels, timestamps, values) from both contenders (digest ${
          digests.relay!.slice(0, 12)
        })`,
      )
    }
  }
  return { ms, checks }
}
