// The contenders, each started fresh for a measurement and pinned to the contender core: the relay
// (compiled binary, a given config), vmagent (Influx line protocol in, remote write out), and the
// producers kcat -P and sarama-producer (sarama.ts) (JSON lines in, Kafka out). Servers report exec →
// first 200 on their readiness URL and the idle RSS a moment after; a producer runs to completion
// while /proc gives its CPU and peak RSS.
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process'
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '../services/process.ts'
import type { Dataset } from './data.ts'
import { capture, CORES, cpuSeconds, memory, now, sleep, spawnOn, stop, waitReady } from './proc.ts'

export const VMAGENT_BIN = '/usr/bin/vmagent'
export const KCAT_BIN = '/usr/bin/kcat'

export interface Server {
  readonly name: string
  readonly pid: number
  readonly url: string
  readonly startupMs: number
  readonly idleRssMb: number
  readonly output: () => string
  stop(): Promise<void>
}

async function serve(name: string, child: ChildProcess, url: string, readyPath: string, t0: number, idleMs: number): Promise<Server> {
  const output = capture(child)
  const startupMs = await waitReady(`${url}${readyPath}`, child, t0, output)
  await sleep(idleMs)
  const idleRssMb = memory(child.pid!).rssMb
  return { name, pid: child.pid!, url, startupMs, idleRssMb, output, stop: () => stop(child) }
}

/** A relay config: `ds`'s universal-tags dictionary and `exporters` (YAML list items). */
export function relayConfig(ds: Dataset, exporters: readonly string[]): string {
  return `relay:\n  universal-tags: ${ds.files.dictionary}\nexporters:\n${exporters.join('\n')}\n`
}

/** One exporter (a YAML list item) sending every field of `ds` to `endpoint`; `extra` settings follow. */
export function relayExporter(protocol: string, endpoint: string, ds: Dataset, extra: Record<string, string> = {}): string {
  return [
    `  - protocol: ${protocol}`,
    '    enabled: true',
    `    endpoints: [${endpoint}]`,
    `    data-sources: [${ds.ds}]`,
    '    export-fields: [$tag, $metrics]',
    ...Object.entries(extra).map(([k, v]) => `    ${k}: ${v}`),
  ].join('\n')
}

/** The relay binary with `yaml` as its config; with `stdoutToNull` its standard output goes to /dev/null. */
export async function startRelay(
  bin: string,
  dir: string,
  yaml: string,
  opts: { stdoutToNull?: boolean; idleMs: number },
): Promise<Server> {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'relay.yaml'), yaml)
  const port = await freePort()
  const devnull = opts.stdoutToNull ? openSync('/dev/null', 'w') : undefined
  const t0 = now()
  const child = spawnOn(CORES.contender, bin, ['--config', 'relay.yaml', '--listen', `127.0.0.1:${port}`, '--log-level', 'warn'], {
    cwd: dir,
    stdio: ['ignore', devnull ?? 'pipe', 'pipe'],
  })
  if (devnull !== undefined) closeSync(devnull)
  return serve('relay', child, `http://127.0.0.1:${port}`, '/readyz', t0, opts.idleMs)
}

/** vmagent taking Influx line protocol on /write (measurement skipped: field names are metric names). */
export async function startVmagent(dir: string, writeUrl: string, opts: { idleMs: number }): Promise<Server> {
  mkdirSync(dir, { recursive: true })
  const port = await freePort()
  const t0 = now()
  const child = spawnOn(CORES.contender, VMAGENT_BIN, vmagentArgs(port, writeUrl, join(dir, 'vmagent-data')), {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return serve('vmagent', child, `http://127.0.0.1:${port}`, '/health', t0, opts.idleMs)
}

export function vmagentArgs(port: number | string, writeUrl: string, dataDir: string): string[] {
  return [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-remoteWrite.url=${writeUrl}`,
    `-remoteWrite.tmpDataPath=${dataDir}`,
    '-influxSkipMeasurement',
    '-loggerLevel=WARN',
  ]
}

/** Records delivered by the relay's exporters (sum of deepflow_relay_records_sent_total). */
export async function relaySent(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  let sum = 0
  for (const m of text.matchAll(/^deepflow_relay_records_sent_total\{[^}]*\} (\S+)$/gm)) sum += Number(m[1])
  return sum
}

export function kcatArgs(broker: string, topic: string, file: string): string[] {
  return [
    '-P',
    '-b',
    broker,
    '-t',
    topic,
    '-z',
    'snappy',
    '-X',
    'acks=all',
    '-X',
    'batch.num.messages=1024',
    '-X',
    'linger.ms=5',
    '-l',
    file,
  ]
}

export interface ProducerRun {
  readonly start: number
  readonly end: number
  readonly cpuS: number
  readonly peakRssMb: number
}

/**
 * A producer that runs to completion (kcat -P, sarama-producer), pinned to the contender core;
 * resolves when it exits, throws when it fails. Its CPU time and VmHWM are read from /proc every
 * 5 ms while it runs (the last reading before exit counts: at most 5 ms of CPU go uncounted), so
 * no GNU time is needed.
 */
export async function runToExit(what: string, bin: string, args: string[]): Promise<ProducerRun> {
  const start = now()
  const child = spawnOn(CORES.contender, bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const output = capture(child)
  let code: number | null | undefined
  child.once('exit', (c) => (code = c))
  let cpuS = 0
  let peakRssMb = 0
  while (code === undefined) {
    try {
      // A zombie (exited, not yet reaped) still has its CPU times but no VmHWM line.
      cpuS = cpuSeconds(child.pid!)
      const { hwmMb } = memory(child.pid!)
      if (!Number.isNaN(hwmMb)) peakRssMb = Math.max(peakRssMb, hwmMb)
    } catch {
      // exited between two readings
    }
    await sleep(5)
  }
  const end = now()
  if (code !== 0) throw new Error(`${what} exited with ${code}:\n${output().slice(-3000)}`)
  return { start, end, cpuS, peakRssMb }
}

/** kcat -P producing every line of `file` (acks=all, snappy). */
export function runKcat(broker: string, topic: string, file: string): Promise<ProducerRun> {
  return runToExit('kcat', KCAT_BIN, kcatArgs(broker, topic, file))
}

/** Messages a topic holds: the sum of its partitions' end offsets (kcat -Q, latest). */
export function topicMessages(broker: string, topic: string, partitions: number): number {
  const args = ['-Q', '-b', broker]
  for (let p = 0; p < partitions; p++) args.push('-t', `${topic}:${p}:-1`)
  const out = execFileSync(KCAT_BIN, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] })
  const offsets = [...out.matchAll(/\[\d+\] offset (-?\d+)/g)].map((m) => Math.max(0, Number(m[1])))
  if (offsets.length !== partitions) throw new Error(`kcat -Q ${topic}: expected ${partitions} partition offsets, got:\n${out}`)
  return offsets.reduce((a, b) => a + b, 0)
}

/** Creates a topic (broker auto-creation, default partitions) with one warm-up message. */
export function createTopic(broker: string, topic: string): void {
  execFileSync(KCAT_BIN, ['-P', '-b', broker, '-t', topic, '-X', 'acks=all'], {
    input: 'warm-up\n',
    timeout: 60_000,
    stdio: ['pipe', 'ignore', 'pipe'],
  })
}

/**
 * Every message value of a topic, from the beginning, one per line into `file` (kcat -C writes
 * straight to the file: a topic of some 100 MB of values would overflow a pipe buffer read by
 * execFileSync, ENOBUFS).
 */
export function consumeToFile(broker: string, topic: string, file: string): void {
  const fd = openSync(file, 'w')
  try {
    const r = spawnSync(KCAT_BIN, ['-C', '-b', broker, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\\n'], {
      stdio: ['ignore', fd, 'pipe'],
      timeout: 600_000,
    })
    if (r.error !== undefined || r.status !== 0) {
      throw new Error(`kcat -C ${topic}: ${r.error?.message ?? `exit ${r.status}`}\n${r.stderr?.toString().slice(-3000) ?? ''}`)
    }
  } finally {
    closeSync(fd)
  }
}
