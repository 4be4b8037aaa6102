// `deepflow-relay buffer inspect|repair --config FILE [--json]`: the durable buffers of a config's
// exporters (`buffer: {type: disk}`), queue by queue — every `q<N>` directory found in
// `<path>/<exporter name>/` (buffer/layout.ts), whatever queue-count says now.
// - inspect reads only (buffer/inspect-queue.ts): it is safe while the relay runs (then the newest
//   segment's last entry may be half written and show as torn, and a segment the relay deletes
//   meanwhile makes its queue unreadable for that run);
// - repair rewrites what is damaged (buffer/repair-queue.ts): the relay must be stopped first.
// A table (or with --json one JSON document) on stdout. Exit 0; 1 when a buffer could not be read
// or repaired, or is still damaged after a repair.
import { inspectQueue, type QueueReport } from '../buffer/inspect-queue.ts'
import { exporterBufferDir, queueBufferDir, queueOfDirName } from '../buffer/layout.ts'
import { type QueueRepair, repairQueue } from '../buffer/repair-queue.ts'
import type { Skipped } from '../buffer/segment-log.ts'
import type { Config, ExporterConfig } from '../config/types.ts'
import type { LogFiles } from '../runtime/log-files.ts'

export type BufferAction = 'inspect' | 'repair'

export interface BufferCommandDeps {
  readonly files: LogFiles
  /** Milliseconds since the epoch: the oldest entries' age. */
  readonly now: () => number
  readonly writeStdout: (text: string) => Promise<void>
}

/** A queue directory and what became of it. */
type QueueOutcome<T> = { readonly queue: number; readonly dir: string } & ({ readonly result: T } | { readonly error: string })

/** An exporter's buffer directory: not there yet, its queues, or why it cannot be listed. */
type ExporterOutcome<T> =
  & {
    readonly exporter: ExporterConfig
    readonly dir: string
  }
  & ({ readonly state: 'empty' } | { readonly state: 'present'; readonly queues: readonly QueueOutcome<T>[] } | {
    readonly state: 'error'
    readonly error: string
  })

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

async function visit<T>(e: ExporterConfig, path: string, files: LogFiles, each: (dir: string) => Promise<T>): Promise<ExporterOutcome<T>> {
  const dir = exporterBufferDir(path, e.name)
  let names: string[]
  try {
    names = files.list(dir)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return { exporter: e, dir, state: 'empty' }
    return { exporter: e, dir, state: 'error', error: message(err) }
  }
  const queues: QueueOutcome<T>[] = []
  const found = names.map(queueOfDirName).filter((q): q is number => q !== undefined).sort((a, b) => a - b)
  for (const queue of found) {
    const queueDir = queueBufferDir(dir, queue)
    try {
      queues.push({ queue, dir: queueDir, result: await each(queueDir) })
    } catch (err) {
      queues.push({ queue, dir: queueDir, error: message(err) })
    }
  }
  return { exporter: e, dir, state: 'present', queues }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** 156 B, 2.0 KiB, 1.5 MiB, 1.0 GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** 0s, 45s, 1m30s, 2h05m, 3d04h (whole units, cut down); negative: written in the future. */
export function formatAge(ms: number): string {
  if (ms < 0) return `-${formatAge(-ms)}`
  const two = (n: number) => String(n).padStart(2, '0')
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${two(s % 60)}s`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h}h${two(m % 60)}m`
  return `${Math.floor(h / 24)}d${two(h % 24)}h`
}

/** Rows as aligned columns (two spaces apart; the columns flagged `right` aligned right), each line indented. */
function table(rows: readonly (readonly string[])[], right: readonly boolean[], indent: string): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => indent + r.map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd())
}

const where = (s: Skipped) => `segment ${s.segment} offset ${s.offset}`
const position = (p: { segment: number; offset: number }) => `segment ${p.segment} offset ${p.offset}`

function header<T>(o: ExporterOutcome<T>): string {
  const head = `${o.exporter.name} (${o.exporter.protocol}): ${o.dir}`
  if (o.state === 'empty') return `${head}: empty (no buffer yet)`
  if (o.state === 'error') return `${head}: cannot be read: ${o.error}`
  return o.queues.length === 0 ? `${head}: empty (no queue directories)` : head
}

function inspectText(outcomes: readonly ExporterOutcome<QueueReport>[], now: number, file: string): string {
  const lines: string[] = []
  let corrupt = 0
  for (const o of outcomes) {
    lines.push(header(o))
    if (o.state !== 'present' || o.queues.length === 0) continue
    const rows = [['queue', 'entries', 'bytes', 'segments', 'oldest', 'corrupt']]
    const details: string[] = []
    for (const q of o.queues) {
      const name = `q${q.queue}`
      if ('error' in q) {
        details.push(`  ${name}: cannot be read: ${q.error}`)
        rows.push([name, '?', '?', '?', '?', '?'])
        continue
      }
      const r = q.result
      corrupt += r.corrupt.length
      rows.push([
        name,
        String(r.entries),
        formatBytes(r.bytes),
        String(r.segments),
        r.oldestWrittenAtMs === null ? '-' : formatAge(now - r.oldestWrittenAtMs),
        String(r.corrupt.length),
      ])
      for (const s of r.corrupt) details.push(`  ${name}: ${where(s)}: ${s.why}`)
    }
    lines.push(...table(rows, [false, true, true, true, true, true], '  '), ...details)
  }
  if (corrupt > 0) {
    lines.push(`${corrupt} corrupt in all: stop the relay, then run deepflow-relay buffer repair --config ${file}`)
  }
  return `${lines.join('\n')}\n`
}

function repairText(outcomes: readonly ExporterOutcome<QueueRepair>[]): string {
  const lines: string[] = []
  for (const o of outcomes) {
    lines.push(header(o))
    if (o.state !== 'present') continue
    for (const q of o.queues) {
      const name = `  q${q.queue}`
      if ('error' in q) {
        lines.push(`${name}: cannot be repaired: ${q.error}`)
        continue
      }
      const r = q.result
      if (r.before.corrupt.length === 0) {
        lines.push(`${name}: nothing to repair (${plural(r.before.entries, 'entry', 'entries')})`)
        continue
      }
      for (const s of r.segments) {
        for (const cut of r.removed.filter((c) => c.segment === s.segment)) {
          lines.push(`${name}: ${where(cut)}: removed ${plural(cut.bytes, 'byte')}: ${cut.why}`)
        }
        lines.push(`${name}: segment ${s.segment} ${s.how} from ${s.bytesBefore} to ${plural(s.bytesAfter, 'byte')}`)
      }
      for (const id of r.filled) lines.push(`${name}: segment ${id} was missing: an empty one takes its place (what it held is lost)`)
      if (r.ledger !== null) {
        lines.push(
          `${name}: ledger.json ${r.ledger.was === null ? 'was not a ledger' : `pointed at ${position(r.ledger.was)}`}; now at ${
            position(r.ledger.now)
          }`,
        )
      }
      const removedBytes = r.removed.reduce((n, c) => n + c.bytes, 0)
      lines.push(
        `${name}: repaired: ${plural(r.removed.length, 'damaged entry', 'damaged entries')} removed (${plural(removedBytes, 'byte')}); ${
          plural(r.after.entries, 'entry', 'entries')
        } kept, ${r.after.corrupt.length} corrupt`,
      )
      for (const s of r.after.corrupt) lines.push(`${name}: still corrupt: ${where(s)}: ${s.why}`)
    }
  }
  return `${lines.join('\n')}\n`
}

function queueJson(r: QueueReport, now: number) {
  return {
    entries: r.entries,
    bytes: r.bytes,
    segments: r.segments,
    oldestWrittenAt: r.oldestWrittenAtMs === null ? null : new Date(r.oldestWrittenAtMs).toISOString(),
    oldestAgeSeconds: r.oldestWrittenAtMs === null ? null : (now - r.oldestWrittenAtMs) / 1000,
    readFrom: r.from,
    ledger: r.ledger,
    corrupt: r.corrupt,
  }
}

function json<T>(file: string, outcomes: readonly ExporterOutcome<T>[], result: (r: T) => unknown): string {
  const doc = {
    config: file,
    exporters: outcomes.map((o) => ({
      name: o.exporter.name,
      protocol: o.exporter.protocol,
      dir: o.dir,
      state: o.state,
      ...(o.state === 'error' ? { error: o.error } : {}),
      queues: o.state === 'present'
        ? o.queues.map((q) => ({ queue: q.queue, dir: q.dir, ...('error' in q ? { error: q.error } : result(q.result) as object) }))
        : [],
    })),
  }
  return `${JSON.stringify(doc, null, 2)}\n`
}

/** Runs `buffer inspect` or `buffer repair` over the config's exporters with a disk buffer; the exit code. */
export async function runBufferCommand(
  action: BufferAction,
  config: Config,
  deps: BufferCommandDeps,
  opts: { readonly json: boolean },
): Promise<number> {
  const file = config.file ?? 'the embedded default'
  const disk = config.exporters.flatMap((e) => (e.buffer.type === 'disk' ? [{ e, path: e.buffer.path }] : []))
  if (disk.length === 0 && !opts.json) {
    await deps.writeStdout(`no exporter of ${file} has a disk buffer (buffer: {type: disk, path: …})\n`)
    return 0
  }
  const now = deps.now()
  if (action === 'inspect') {
    const outcomes: ExporterOutcome<QueueReport>[] = []
    for (const { e, path } of disk) outcomes.push(await visit(e, path, deps.files, (dir) => Promise.resolve(inspectQueue(dir, deps.files))))
    await deps.writeStdout(opts.json ? json(file, outcomes, (r) => queueJson(r, now)) : inspectText(outcomes, now, file))
    return outcomes.some((o) => o.state === 'error' || (o.state === 'present' && o.queues.some((q) => 'error' in q))) ? 1 : 0
  }
  const outcomes: ExporterOutcome<QueueRepair>[] = []
  for (const { e, path } of disk) outcomes.push(await visit(e, path, deps.files, (dir) => repairQueue(dir, deps.files)))
  await deps.writeStdout(
    opts.json
      ? json(file, outcomes, (r) => ({
        removed: r.removed,
        segments: r.segments,
        filled: r.filled,
        ledger: r.ledger,
        before: queueJson(r.before, now),
        after: queueJson(r.after, now),
      }))
      : repairText(outcomes),
  )
  const failed = outcomes.some((o) =>
    o.state === 'error' || (o.state === 'present' && o.queues.some((q) => 'error' in q || q.result.after.corrupt.length > 0))
  )
  return failed ? 1 : 0
}
