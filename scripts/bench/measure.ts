// What one measurement is, and the loop shared by the paths: start the load generator on the other
// core, wait until the sink holds everything, read the contender's CPU and peak memory.
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Server } from './contenders.ts'
import { capture, collect, coreBusy, CORES, cpuSeconds, type LoadSnapshot, loadSnapshot, memory, now, sleep, spawnOn } from './proc.ts'

export interface Measurement {
  readonly path: string
  readonly contender: string
  readonly round: number
  /** Records delivered (messages for Kafka). */
  readonly records: number
  /** Remote-write samples delivered (0 on other paths). */
  readonly samples: number
  /** Bytes behind MB/s: posted bodies (remote write, curves), message values the broker holds (Kafka). */
  readonly bytes: number
  readonly wallS: number
  readonly cpuS: number
  readonly peakRssMb: number
  readonly idleRssMb: number | null
  readonly startupMs: number | null
  /** 429/503 answers the load generator retried. */
  readonly retries: number
  /** Requests the sink received (remote write), where known. */
  readonly sinkRequests: number | null
  /** CPU seconds of the counting receiver over the measurement (remote write), where known. */
  readonly sinkCpuS: number | null
  /** Busy share of the contender's core and of the other core while it ran (everything on them). */
  readonly busy: { readonly contender: number; readonly rest: number }
  /** Cores' worth of CPU that processes outside this benchmark used while it ran. */
  readonly others: number
}

/** The fields most paths leave at their defaults: no samples, idle RSS, start-up time, retries or sink figures. */
type Defaulted = 'samples' | 'idleRssMb' | 'startupMs' | 'retries' | 'sinkRequests' | 'sinkCpuS'

/** A measurement from its fields; those not given are 0 (samples, retries) or null (unknown). */
export function measurement(f: Omit<Measurement, Defaulted> & Partial<Pick<Measurement, Defaulted>>): Measurement {
  return {
    path: f.path,
    contender: f.contender,
    round: f.round,
    records: f.records,
    samples: f.samples ?? 0,
    bytes: f.bytes,
    wallS: f.wallS,
    cpuS: f.cpuS,
    peakRssMb: f.peakRssMb,
    idleRssMb: f.idleRssMb ?? null,
    startupMs: f.startupMs ?? null,
    retries: f.retries ?? 0,
    sinkRequests: f.sinkRequests ?? null,
    sinkCpuS: f.sinkCpuS ?? null,
    busy: f.busy,
    others: f.others,
  }
}

export const rate = (m: Measurement, what: 'records' | 'samples' | 'mb') =>
  (what === 'records' ? m.records : what === 'samples' ? m.samples : m.bytes / 1e6) / m.wallS
export const cpuPerMillion = (m: Measurement) => (m.cpuS / m.records) * 1e6

const LOADGEN = fileURLToPath(new URL('./loadgen.ts', import.meta.url))

export interface LoadResult {
  readonly start: number
  readonly end: number
  readonly requests: number
  readonly records: number
  readonly bytes: number
  readonly retries: number
  readonly errors: number
  readonly firstError: string
  /** With a rate: how far behind its time a body was posted, at worst. */
  readonly maxLagMs: number
}

export interface Load {
  readonly child: ChildProcess
  readonly done: Promise<LoadResult>
}

/** How the load generator posts: `perRequest` records to a body, from `concurrency` keep-alive connections. */
export interface LoadOptions {
  readonly perRequest: number
  readonly concurrency: number
  /** Post for this long (repeating the file), instead of the file once. */
  readonly durationS?: number
  /** Post at this pace, records per second (requests spaced evenly), instead of as fast as answered. */
  readonly rate?: number
  readonly contentType: string
}

/** Starts the load generator (bun, on the non-contender core) against `url`. */
export function startLoad(url: string, file: string, opts: LoadOptions): Load {
  const args = [
    LOADGEN,
    '--url',
    url,
    '--file',
    file,
    '--per-request',
    String(opts.perRequest),
    '--concurrency',
    String(opts.concurrency),
    '--content-type',
    opts.contentType,
  ]
  if (opts.durationS !== undefined) args.push('--duration', String(opts.durationS))
  if (opts.rate !== undefined) args.push('--rate', String(opts.rate))
  const child = spawnOn(CORES.rest, process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const output = capture(child)
  const done = collect(child, output).then((out) => {
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult
    if (r.errors > 0) throw new Error(`load generator: ${r.errors} requests failed, first: ${r.firstError}`)
    return r
  })
  return { child, done }
}

/**
 * Waits until `delivered()` reaches the target (known up front, or the load's record count times
 * `perRecord` once it is done); polls every `pollMs`. Returns the load result and the time the
 * target was first seen.
 */
export async function waitDelivered(
  load: Load,
  delivered: () => Promise<number>,
  target: (load: LoadResult | undefined) => number | undefined,
  opts: { timeoutMs: number; pollMs: number; what: string },
): Promise<{ load: LoadResult; seenAt: number; delivered: number }> {
  let result: LoadResult | undefined
  let failure: unknown
  load.done.then((r) => (result = r), (e) => (failure = e))
  const t0 = now()
  for (;;) {
    if (failure !== undefined) throw failure
    const want = target(result)
    const got = await delivered()
    if (want !== undefined && got >= want && result !== undefined) return { load: result, seenAt: now(), delivered: got }
    if (now() - t0 > opts.timeoutMs) throw new Error(`${opts.what}: ${got} of ${want ?? '?'} delivered after ${opts.timeoutMs} ms`)
    await sleep(opts.pollMs)
  }
}

/** CPU seconds and peak RSS of a running contender, from a CPU reading taken before its load. */
export function usage(pid: number, cpuBefore: number): { cpuS: number; peakRssMb: number } {
  return { cpuS: cpuSeconds(pid) - cpuBefore, peakRssMb: memory(pid).hwmMb }
}

/** Busy shares of both cores, and what processes outside the benchmark used, since `before`. */
export function busySince(before: LoadSnapshot): Pick<Measurement, 'busy' | 'others'> {
  const after = loadSnapshot()
  const wall = (after.at - before.at) / 1000
  return {
    busy: { contender: coreBusy(before.cores, after.cores, CORES.contender), rest: coreBusy(before.cores, after.cores, CORES.rest) },
    others: Math.max(0, (after.machine - before.machine - (after.ours - before.ours)) / wall),
  }
}

/** The Measurement fields that measureServed() fills in. */
export type Served = Pick<
  Measurement,
  'records' | 'bytes' | 'wallS' | 'cpuS' | 'peakRssMb' | 'idleRssMb' | 'startupMs' | 'retries' | 'sinkCpuS' | 'busy' | 'others'
>

/**
 * One measurement of a running contender: the load generator posts `load.file` to `load.url`, and
 * `until.delivered()` is polled every 20 ms until it reaches `until.target` (see waitDelivered);
 * then the contender's CPU and peak memory, both cores' load and, with `sinkPid`, the sink's CPU are
 * read. Returns the load result and the Measurement fields: records and bytes as posted, wall time
 * from the first posted body until the target was seen.
 */
export async function measureServed(
  server: Server,
  load: { readonly url: string; readonly file: string } & LoadOptions,
  until: {
    delivered: () => Promise<number>
    target: (load: LoadResult | undefined) => number | undefined
    timeoutMs: number
    what: string
  },
  sinkPid?: number,
): Promise<{ load: LoadResult; served: Served }> {
  const load0 = loadSnapshot()
  const cpu0 = cpuSeconds(server.pid)
  const sinkCpu0 = sinkPid === undefined ? 0 : cpuSeconds(sinkPid)
  const done = await waitDelivered(startLoad(load.url, load.file, load), until.delivered, until.target, {
    timeoutMs: until.timeoutMs,
    pollMs: 20,
    what: until.what,
  })
  const { cpuS, peakRssMb } = usage(server.pid, cpu0)
  const busy = busySince(load0)
  const sinkCpuS = sinkPid === undefined ? null : cpuSeconds(sinkPid) - sinkCpu0
  return {
    load: done.load,
    served: {
      records: done.load.records,
      bytes: done.load.bytes,
      wallS: (done.seenAt - done.load.start) / 1000,
      cpuS,
      peakRssMb,
      idleRssMb: server.idleRssMb,
      startupMs: server.startupMs,
      retries: done.load.retries,
      sinkCpuS,
      ...busy,
    },
  }
}
