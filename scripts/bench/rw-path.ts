// The remote-write path: the relay (prometheus exporter) and vmagent (Influx /write) each forward
// the same records to the counting receiver; samples/s = samples the receiver decoded / time from
// the first posted body until the last of them arrived.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { relayConfig, relayExporter, type Server, startRelay, startVmagent } from './contenders.ts'
import type { Dataset } from './data.ts'
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
  o: RwOptions,
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
      path: 'remote write',
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
