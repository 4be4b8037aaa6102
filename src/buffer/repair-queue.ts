// Repairs one queue's segment log (`buffer repair`, with the relay stopped) so that the relay opens
// it with nothing to skip, every good entry still there and in order:
// - a segment with torn or damaged frames from the reading position on keeps its good frames only:
//   cut at the damage when the damage only ends the file (truncate, then fsync), else written whole
//   to a temporary file and renamed over it (LogFiles.replaceAtomic: fsync, rename, fsync of the
//   directory). The bytes before the ledger's position are kept as they are, so the ledger stays
//   valid throughout;
// - a segment missing between two others is replaced by an empty one (what it held is lost; the
//   numbering has no gap again);
// - a ledger that is not one, or that names a segment that is gone or a position past its end, is
//   rewritten at the position the relay starts reading from anyway.
// Each step leaves a buffer the relay opens as it opened the one before: a crash during a repair
// loses nothing the repair would have kept, and running it again finishes it.
import type { LogFiles } from '../runtime/log-files.ts'
import { frameAt, nextGoodFrame } from './frame.ts'
import { inspectQueue, notAnEntry, type QueueReport } from './inspect-queue.ts'
import { LEDGER, ledgerBytes, type Position, readLedger, SEGMENT, segmentName } from './segment-log.ts'

/** Bytes cut out of a segment: where they were, how many, and what was wrong. */
export interface Removed {
  readonly segment: number
  readonly offset: number
  readonly bytes: number
  readonly why: string
}

export interface QueueRepair {
  readonly before: QueueReport
  readonly removed: readonly Removed[]
  /** The segments changed: cut at the damage (`truncated`) or written anew (`rewritten`), with their sizes. */
  readonly segments: readonly {
    readonly segment: number
    readonly how: 'truncated' | 'rewritten'
    readonly bytesBefore: number
    readonly bytesAfter: number
  }[]
  /** Missing segments replaced by empty ones. */
  readonly filled: readonly number[]
  /** The ledger rewritten: where it pointed (null: it was not a ledger) and where it points now. */
  readonly ledger: { readonly was: Position | null; readonly now: Position } | null
  readonly after: QueueReport
}

function readWhole(files: LogFiles, path: string): Uint8Array {
  const fd = files.openRead(path)
  try {
    return files.read(fd, 0, files.size(fd))
  } finally {
    files.close(fd)
  }
}

async function syncFile(files: LogFiles, path: string): Promise<void> {
  const fd = files.openAppend(path)
  try {
    await files.fsync(fd)
  } finally {
    files.close(fd)
  }
}

/** The good frames of `bytes` from `start` on (the bytes before kept whole), and the damaged ranges between them. */
function goodFrames(bytes: Uint8Array, start: number, segment: number): { keep: Uint8Array[]; cut: Removed[] } {
  const keep = [bytes.subarray(0, start)]
  const cut: Removed[] = []
  for (let at = start; at < bytes.length;) {
    const f = frameAt(bytes, at)
    if (f.kind === 'end') break
    const why = f.kind === 'bad' ? f.why : notAnEntry(f.payload)
    const next = f.kind === 'bad' ? nextGoodFrame(bytes, at) : f.next
    if (why === undefined) keep.push(bytes.subarray(at, next))
    else cut.push({ segment, offset: at, bytes: next - at, why })
    at = next
  }
  return { keep, cut }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Repairs the queue in `dir` (which must exist). Throws what the file system throws. */
export async function repairQueue(dir: string, files: LogFiles): Promise<QueueRepair> {
  const before = inspectQueue(dir, files)
  if (before.corrupt.length === 0) return { before, removed: [], segments: [], filled: [], ledger: null, after: before }
  const { from } = before
  const ids = files.list(dir)
    .map((name) => SEGMENT.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b)

  const removed: Removed[] = []
  const segments: QueueRepair['segments'][number][] = []
  for (const id of ids) {
    if (id < from.segment) continue
    const path = `${dir}/${segmentName(id)}`
    const bytes = readWhole(files, path)
    const { keep, cut } = goodFrames(bytes, id === from.segment ? from.offset : 0, id)
    if (cut.length === 0) continue
    removed.push(...cut)
    const last = cut[cut.length - 1]!
    if (cut.length === 1 && last.offset + last.bytes === bytes.length) {
      files.truncate(path, last.offset)
      await syncFile(files, path)
      segments.push({ segment: id, how: 'truncated', bytesBefore: bytes.length, bytesAfter: last.offset })
    } else {
      const kept = concat(keep)
      await files.replaceAtomic(path, kept)
      segments.push({ segment: id, how: 'rewritten', bytesBefore: bytes.length, bytesAfter: kept.length })
    }
  }

  const filled: number[] = []
  for (let i = 1; i < ids.length; i++) {
    for (let id = ids[i - 1]! + 1; id < ids[i]!; id++) {
      await files.replaceAtomic(`${dir}/${segmentName(id)}`, new Uint8Array(0))
      filled.push(id)
    }
  }

  let ledger: QueueRepair['ledger'] = null
  const was = readLedger(files, dir)
  if (before.ledger === 'invalid' || (was !== undefined && (was.segment !== from.segment || was.offset !== from.offset))) {
    await files.replaceAtomic(`${dir}/${LEDGER}`, ledgerBytes(from))
    ledger = { was: was ?? null, now: from }
  }
  return { before, removed, segments, filled, ledger, after: inspectQueue(dir, files) }
}
