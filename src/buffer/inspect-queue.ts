// What one queue's segment log holds, read as the relay would open it and without changing anything
// (`buffer inspect`, and `buffer repair` before and after it repairs): the entries not yet
// acknowledged (from the ledger's position on), the oldest one's written-at time, the segment files
// and their bytes, and everything the relay would skip or report — torn and damaged entries,
// missing segments, a ledger pointing nowhere or not readable, an entry too short to be one.
// The segment log is opened on files that refuse every write (no directory is created, nothing is
// appended, synced, replaced or deleted) and is never closed (closing writes the ledger).
import type { LogFiles } from '../runtime/log-files.ts'
import { decodeEntry } from './entry.ts'
import { HEADER_BYTES } from './frame.ts'
import { LEDGER, openSegmentLog, type Position, readLedger, SEGMENT, type Skipped } from './segment-log.ts'

export interface QueueReport {
  /** Entries from `from` on: not yet acknowledged. */
  readonly entries: number
  /** Bytes of the segment files. */
  readonly bytes: number
  readonly segments: number
  /** The written-at time (ms since the epoch) of the first entry not acknowledged; null when there is none. */
  readonly oldestWrittenAtMs: number | null
  /** Where the relay starts reading: the ledger's position, as opening the log finds it. */
  readonly from: Position
  /** ledger.json: `ok`; `none` (reading starts at the oldest segment); `invalid` (not a ledger: the same). */
  readonly ledger: 'ok' | 'none' | 'invalid'
  /** What the relay skips or reports, in order. */
  readonly corrupt: readonly Skipped[]
}

/** Why a good frame's payload is not an entry (buffer/entry.ts), or undefined when it is one. */
export function notAnEntry(payload: Uint8Array): string | undefined {
  return decodeEntry(payload) === undefined ? `an entry of ${payload.length} bytes, shorter than its written-at time` : undefined
}

function refuse(what: string): never {
  throw Object.assign(new Error(`reading a buffer writes nothing (${what})`), { code: 'EROFS' })
}

/** `files` that read and never write: a segment log opened on them changes nothing on disk. */
export function readOnlyFiles(files: LogFiles): LogFiles {
  return {
    ...files,
    mkdirp: () => {},
    openAppend: () => refuse('open for append'),
    append: () => refuse('append'),
    appendAll: () => refuse('append'),
    fsync: () => refuse('fsync'),
    unlink: () => refuse('unlink'),
    replaceAtomic: () => refuse('replace'),
    overwrite: () => refuse('overwrite'),
    writeSmall: () => refuse('write'),
    truncate: () => refuse('truncate'),
  }
}

/** The state of `dir`'s ledger.json. */
function ledgerState(files: LogFiles, dir: string): QueueReport['ledger'] {
  let bytes: Uint8Array | undefined
  try {
    bytes = files.readSmall(`${dir}/${LEDGER}`)
  } catch {
    return 'invalid'
  }
  if (bytes === undefined) return 'none'
  return readLedger(files, dir) === undefined ? 'invalid' : 'ok'
}

/** Reads the queue in `dir` (which must exist). Throws what the file system throws (EACCES, a segment deleted meanwhile). */
export function inspectQueue(dir: string, files: LogFiles): QueueReport {
  const reading = readOnlyFiles(files)
  const corrupt: Skipped[] = []
  const ledger = ledgerState(reading, dir)
  const log = openSegmentLog({ dir, files: reading, segmentBytes: Number.MAX_SAFE_INTEGER, onSkipped: (s) => corrupt.push(s) })
  const from = log.positions().acked
  if (ledger === 'invalid') {
    corrupt.unshift({ segment: from.segment, offset: from.offset, why: `${LEDGER} is not a ledger; reading starts at the oldest segment` })
  }
  let entries = 0
  let oldestWrittenAtMs: number | null = null
  for (let e = log.read(); e !== undefined; e = log.read()) {
    const why = notAnEntry(e.payload)
    if (why !== undefined) {
      corrupt.push({ segment: e.pos.segment, offset: e.pos.offset - HEADER_BYTES - e.payload.length, why })
      continue
    }
    entries++
    oldestWrittenAtMs ??= decodeEntry(e.payload)!.writtenAtMs
  }
  const segments = reading.list(dir).filter((name) => SEGMENT.test(name)).length
  return { entries, bytes: log.diskBytes(), segments, oldestWrittenAtMs, from, ledger, corrupt }
}
