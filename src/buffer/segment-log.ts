// One durable queue on disk: numbered segment files of framed entries (buffer/frame.ts) and a small
// ledger naming the first entry not yet acknowledged. Appends go to the newest segment (a fresh one
// at every open: what an earlier process left is never written again); a reader walks the entries
// from the ledger's position; acknowledged entries move the ledger forward.
//
// Order of writes, so that a crash at any point leaves a buffer that opens:
// - checkpoint() fsyncs the segments the ledger's new position lies in or before, then replaces the
//   ledger atomically (temp file, fsync, rename, fsync of the directory), and only then deletes the
//   segments wholly before that position. The ledger never names a position in data that is not on
//   stable storage, and no segment is deleted while a ledger on disk may still point into it.
// - A segment is deleted only when every entry in it is acknowledged and the ledger saying so is synced.
//
// Opening never fails because of what is in the directory: a missing or unreadable ledger replays
// from the oldest segment (at least once); a ledger naming a segment that is gone, or a position past
// its end, moves to the next segment; a gap in the segment numbers (a segment deleted by hand) is
// reported; a torn or damaged entry is reported with its position and skipped to the next good
// frame. Each of these goes to `onCorrupt` (the relay counts and logs them).
//
// Errors of the file system (ENOSPC, EIO, EROFS) come back as values, never thrown.
import type { LogFiles } from '../runtime/log-files.ts'
import { frameAt, HEADER_BYTES, nextGoodFrame, sealFrame } from './frame.ts'
import { GrowableBytes } from '../util/growable-bytes.ts'
import { crc32c } from '../util/crc32c.ts'

/** An entry's place: its segment and the offset just past it (where the next entry starts). */
export interface Position {
  readonly segment: number
  readonly offset: number
}

/** What was skipped: a damaged entry, a missing segment, a ledger pointing nowhere. */
export interface Skipped {
  readonly segment: number
  readonly offset: number
  readonly why: string
}

export type LogResult = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly error: string }

export interface SegmentLogOptions {
  readonly dir: string
  readonly files: LogFiles
  /** A segment is closed and a new one started once it holds this many bytes. */
  readonly segmentBytes: number
  readonly onSkipped: (s: Skipped) => void
}

export interface SegmentLog {
  /**
   * Appends an entry; its position. `loaded`: the caller also holds it in memory, so the reader
   * moves past it when it had read everything before (else it stays on disk for read()).
   */
  append(payload: Uint8Array, loaded: boolean): { readonly ok: true; readonly pos: Position } | (LogResult & { readonly ok: false })
  /**
   * append() of a payload of `length` bytes that `write` puts at `at` of `buf` (the log's own write
   * buffer: no copy of the entry is made).
   */
  appendWith(
    length: number,
    write: (buf: Uint8Array, at: number) => void,
    loaded: boolean,
  ): { readonly ok: true; readonly pos: Position } | (LogResult & { readonly ok: false })
  /**
   * Writes what was appended since the last flush (appends are gathered: one write for a request's
   * entries). read(), sync() and close() flush first.
   */
  flush(): LogResult
  /** fsync of every segment appended to since the last sync: what was appended is then on stable storage. */
  sync(): Promise<LogResult>
  /** The next entry not yet read (loaded), or undefined when the reader is at the end of what was appended. */
  read(): { readonly pos: Position; readonly payload: Uint8Array } | undefined
  /** True when entries wait on disk that the reader has not loaded. */
  unread(): boolean
  /** Every entry up to `pos` (included) was delivered. */
  ack(pos: Position): void
  /** Writes the ledger (after syncing what it points into) and deletes the segments wholly acknowledged. */
  checkpoint(): Promise<LogResult>
  /**
   * Drops the oldest segment that is not being written (drop-oldest at max-bytes): its entries
   * count as acknowledged. The number of its entries not acknowledged before, or 0 when there is
   * no such segment; `loadedUpTo` tells the caller which loaded entries went with it.
   */
  dropOldest(): { readonly entries: number; readonly segment: number } | undefined
  /** Bytes of the segment files still needed (those wholly acknowledged are deleted at the next checkpoint). */
  bytes(): number
  /** Bytes of every segment file on disk. */
  diskBytes(): number
  /** Where the ledger's position is, and where the reader and the writer are. */
  positions(): { readonly acked: Position; readonly read: Position; readonly write: Position }
  close(): Promise<void>
}

/** A segment file's name: its number, 20 digits. */
export const SEGMENT = /^(\d{20})\.seg$/
export const LEDGER = 'ledger.json'
export const segmentName = (id: number) => `${String(id).padStart(20, '0')}.seg`

interface Segment {
  readonly id: number
  size: number
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' ? code : 'EIO'
}

function failure(err: unknown, what: string): LogResult & { ok: false } {
  return { ok: false, code: codeOf(err), error: `${what}: ${err instanceof Error ? err.message : String(err)}` }
}

/** The ledger's size: always the same, so that it can be written in place on a full disk. */
export const LEDGER_BYTES = 96

/**
 * A ledger's bytes: {"v":1,"segment":S,"offset":O,"crc":C} padded with spaces to LEDGER_BYTES, C
 * the CRC-32C of "S:O" (an in-place write torn between two positions does not pass for either).
 */
export function ledgerBytes(pos: Position): Uint8Array {
  const crc = crc32c(new TextEncoder().encode(`${pos.segment}:${pos.offset}`))
  return new TextEncoder().encode(JSON.stringify({ v: 1, segment: pos.segment, offset: pos.offset, crc }).padEnd(LEDGER_BYTES - 1) + '\n')
}

/** Reads the ledger; undefined when it is missing or not one (a crc, when there is one, must match). */
export function readLedger(files: LogFiles, dir: string): Position | undefined {
  let bytes: Uint8Array | undefined
  try {
    bytes = files.readSmall(`${dir}/${LEDGER}`)
  } catch {
    return undefined
  }
  if (bytes === undefined) return undefined
  try {
    const j = JSON.parse(new TextDecoder().decode(bytes)) as { v?: unknown; segment?: unknown; offset?: unknown; crc?: unknown }
    if (j.v !== 1 || !Number.isSafeInteger(j.segment) || !Number.isSafeInteger(j.offset)) return undefined
    if (j.crc !== undefined && j.crc !== crc32c(new TextEncoder().encode(`${j.segment}:${j.offset}`))) return undefined
    return { segment: j.segment as number, offset: j.offset as number }
  } catch {
    return undefined
  }
}

/** The log's write buffer: frames are put here, then written with one system call and the buffer reused. */
class PendingFrames extends GrowableBytes {
  /** Empties it; a buffer a large request grew is let go, so that it does not stay that large. */
  override reset(): void {
    this.length = 0
    if (this.buf.length > 1 << 20) this.buf = new Uint8Array(64 << 10)
  }

  /** Room for `n` bytes at the end: where they start. */
  reserve(n: number): number {
    this.room(n)
    const at = this.length
    this.length += n
    return at
  }
}

export function openSegmentLog(opts: SegmentLogOptions): SegmentLog {
  const { dir, files } = opts
  files.mkdirp(dir)
  const segments: Segment[] = files.list(dir)
    .map((name) => SEGMENT.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b)
    .map((id) => {
      const fd = files.openRead(`${dir}/${segmentName(id)}`)
      try {
        return { id, size: files.size(fd) }
      } finally {
        files.close(fd)
      }
    })
  for (let i = 1; i < segments.length; i++) {
    for (let missing = segments[i - 1]!.id + 1; missing < segments[i]!.id; missing++) {
      opts.onSkipped({ segment: missing, offset: 0, why: 'the segment is missing' })
    }
  }
  const writeId = (segments[segments.length - 1]?.id ?? 0) + 1
  const first = segments[0]?.id ?? writeId

  // Where the first entry not acknowledged is.
  let acked: Position = readLedger(files, dir) ?? { segment: first, offset: 0 }
  if (acked.segment < first) acked = { segment: first, offset: 0 }
  const ackedSegment = segments.find((s) => s.id === acked.segment)
  if (ackedSegment === undefined && acked.segment < writeId) {
    const next = segments.find((s) => s.id > acked.segment)?.id ?? writeId
    opts.onSkipped({ segment: acked.segment, offset: acked.offset, why: 'the ledger names a segment that is gone' })
    acked = { segment: next, offset: 0 }
  } else if (ackedSegment !== undefined && acked.offset > ackedSegment.size) {
    opts.onSkipped({
      segment: acked.segment,
      offset: acked.offset,
      why: `the ledger points past the end of its segment (${ackedSegment.size} bytes)`,
    })
    acked = { segment: segments.find((s) => s.id > acked.segment)?.id ?? writeId, offset: 0 }
  } else if (acked.segment >= writeId) {
    acked = { segment: writeId, offset: 0 }
  }
  let ledgerOnDisk: Position = acked
  /** Whether ledger.json exists with LEDGER_BYTES (written by this format): it is then written in place. */
  let ledgerInPlace = files.readSmall(`${dir}/${LEDGER}`)?.length === LEDGER_BYTES
  if (!ledgerInPlace || readLedger(files, dir) === undefined) {
    // The ledger exists from the start, so that a disk that fills up later can still be told what
    // was acknowledged (written in place, no new block). Unsynced: a crash before the first
    // checkpoint leaves no ledger or this one, both meaning "from the oldest segment on".
    try {
      files.writeSmall(`${dir}/${LEDGER}`, ledgerBytes(acked))
      ledgerInPlace = true
    } catch {
      // a read-only buffer (inspect), or no room: the first checkpoint creates it
    }
  }

  let write: Segment = { id: writeId, size: 0 }
  let writeFd: number | undefined
  segments.push(write)
  /** Segments appended to since the last sync. */
  const unsynced = new Set<number>()
  /** Segments closed for writing whose fd is still open until they are synced. */
  const closing = new Map<number, number>()

  let read: Position = acked
  /** The bytes of the segment being read (from `start`). */
  let chunk: { segment: number; start: number; bytes: Uint8Array } | undefined

  /** Bad bytes the reader skipped, by where they start: acknowledged once everything before them is. */
  const skips = new Map<string, Position>()
  const passSkips = () => {
    for (let end = skips.get(`${acked.segment}:${acked.offset}`); end !== undefined; end = skips.get(`${acked.segment}:${acked.offset}`)) {
      skips.delete(`${acked.segment}:${acked.offset}`)
      acked = end
    }
  }

  /** Moves the reader from the end of a closed segment (or a missing one) to the start of the next. */
  function passReadSegments(): void {
    while (read.segment < write.id) {
      const seg = segmentOf(read.segment)
      if (seg !== undefined && read.offset < seg.size) return
      read = { segment: nextAfter(read.segment) ?? write.id, offset: 0 }
      chunk = undefined
    }
  }

  /** Frames appended and not yet written, one after the other: written together by flushPending() (one system call). */
  const pending = new PendingFrames()

  /**
   * Writes the pending frames to the segment being written. On an error, what reached the file may
   * end in part of a frame: the segment's size is what the file holds, the next append starts a new
   * segment, and a reader skips the torn part.
   */
  function flushPending(): LogResult {
    if (pending.length === 0) return { ok: true }
    const bytes = pending.length
    try {
      writeFd ??= files.openAppend(`${dir}/${segmentName(write.id)}`)
      files.appendAll(writeFd, [pending.buf.subarray(0, bytes)])
      return { ok: true }
    } catch (err) {
      const failed = failure(err, `appending to ${dir}/${segmentName(write.id)}`)
      try {
        write.size = writeFd === undefined ? write.size - bytes : files.size(writeFd)
      } catch {
        // the size stays as counted
      }
      rotate()
      return failed
    } finally {
      pending.reset()
    }
  }

  /** Closes the segment being written (its fd waits in `closing` for its sync) and starts the next. */
  function rotate(): void {
    if (writeFd !== undefined) closing.set(write.id, writeFd)
    writeFd = undefined
    write = { id: write.id + 1, size: 0 }
    segments.push(write)
  }

  const segmentOf = (id: number) => segments.find((s) => s.id === id)
  const nextAfter = (id: number) => segments.find((s) => s.id > id)?.id

  /** Loads [offset, end of what is written) of a segment. */
  function load(id: number, offset: number): Uint8Array {
    const seg = segmentOf(id)!
    const fd = files.openRead(`${dir}/${segmentName(id)}`)
    try {
      return files.read(fd, offset, Math.max(0, seg.size - offset))
    } finally {
      files.close(fd)
    }
  }

  const log: SegmentLog = {
    append(payload, loaded) {
      return log.appendWith(payload.length, (buf, at) => buf.set(payload, at), loaded)
    },

    appendWith(length, writePayload, loaded) {
      const frameLength = HEADER_BYTES + length
      if (write.size > 0 && write.size + frameLength > opts.segmentBytes) {
        const flushed = flushPending()
        if (!flushed.ok) return flushed
        rotate()
      }
      // (A reader at the end of the segment just closed is at the start of this one.)
      passReadSegments()
      const atEnd = read.segment === write.id && read.offset === write.size
      const at = pending.reserve(frameLength)
      writePayload(pending.buf, at + HEADER_BYTES)
      sealFrame(pending.buf, at, length)
      write.size += frameLength
      unsynced.add(write.id)
      const pos = { segment: write.id, offset: write.size }
      if (loaded && atEnd) read = pos
      return { ok: true, pos }
    },

    flush: () => flushPending(),

    async sync() {
      const flushed = flushPending()
      if (!flushed.ok) return flushed
      const ids = [...unsynced]
      unsynced.clear()
      try {
        for (const id of ids) {
          const fd = id === write.id ? writeFd : closing.get(id)
          if (fd === undefined) continue
          await files.fsync(fd)
          if (id !== write.id) {
            closing.delete(id)
            files.close(fd)
          }
        }
        return { ok: true }
      } catch (err) {
        for (const id of ids) unsynced.add(id)
        return failure(err, `syncing ${dir}`)
      }
    },

    read() {
      flushPending()
      for (;;) {
        if (read.segment > write.id) return undefined
        const seg = segmentOf(read.segment)
        if (seg === undefined) {
          read = { segment: nextAfter(read.segment) ?? write.id, offset: 0 }
          continue
        }
        if (read.offset >= seg.size) {
          if (seg.id === write.id) return undefined
          read = { segment: nextAfter(seg.id) ?? write.id, offset: 0 }
          chunk = undefined
          continue
        }
        if (
          chunk === undefined || chunk.segment !== seg.id || read.offset < chunk.start || read.offset >= chunk.start + chunk.bytes.length
        ) {
          chunk = { segment: seg.id, start: read.offset, bytes: load(seg.id, read.offset) }
        }
        const rel = read.offset - chunk.start
        const f = frameAt(chunk.bytes, rel)
        if (f.kind === 'entry') {
          const pos = { segment: seg.id, offset: chunk.start + f.next }
          read = pos
          return { pos, payload: f.payload.slice() }
        }
        if (f.kind === 'end') {
          chunk = undefined
          continue
        }
        // The chunk may end inside an entry appended after it was loaded: load from here again.
        if (chunk.start + chunk.bytes.length < seg.size) {
          chunk = undefined
          continue
        }
        const skipTo = chunk.start + nextGoodFrame(chunk.bytes, rel)
        opts.onSkipped({ segment: seg.id, offset: read.offset, why: f.why })
        // Nothing will acknowledge the skipped bytes: once what comes before them is, they are too.
        skips.set(`${seg.id}:${read.offset}`, { segment: seg.id, offset: skipTo })
        read = { segment: seg.id, offset: skipTo }
        passSkips()
      }
    },

    unread() {
      passReadSegments()
      return read.segment < write.id || read.offset < write.size
    },

    ack(pos) {
      if (pos.segment > acked.segment || (pos.segment === acked.segment && pos.offset > acked.offset)) acked = pos
      passSkips()
    },

    async checkpoint() {
      // A position at the end of a closed segment is the start of the next one.
      let target = acked
      const seg = segmentOf(target.segment)
      if (seg !== undefined && seg.id !== write.id && target.offset >= seg.size) {
        target = { segment: nextAfter(seg.id) ?? write.id, offset: 0 }
      }
      if (target.segment === ledgerOnDisk.segment && target.offset === ledgerOnDisk.offset) return { ok: true }
      if ([...unsynced].some((id) => id <= target.segment)) {
        const synced = await log.sync()
        if (!synced.ok) return synced
      }
      try {
        // In place once the ledger exists (no new block: works on a full disk); created atomically.
        if (ledgerInPlace) await files.overwrite(`${dir}/${LEDGER}`, ledgerBytes(target))
        else await files.replaceAtomic(`${dir}/${LEDGER}`, ledgerBytes(target))
        ledgerInPlace = true
      } catch (err) {
        return failure(err, `writing ${dir}/${LEDGER}`)
      }
      ledgerOnDisk = target
      try {
        while (segments.length > 0 && segments[0]!.id < target.segment && segments[0]!.id !== write.id) {
          const old = segments.shift()!
          const fd = closing.get(old.id)
          if (fd !== undefined) {
            closing.delete(old.id)
            files.close(fd)
          }
          files.unlink(`${dir}/${segmentName(old.id)}`)
        }
      } catch (err) {
        return failure(err, `deleting an acknowledged segment of ${dir}`)
      }
      return { ok: true }
    },

    dropOldest() {
      // The oldest segment not yet dropped or acknowledged whole.
      const oldest = segments.find((s) => s.id >= acked.segment)
      if (oldest === undefined || oldest.id === write.id) return undefined
      // Its entries not yet acknowledged: counted by walking its frames.
      const from = acked.segment === oldest.id ? acked.offset : acked.segment > oldest.id ? oldest.size : 0
      let entries = 0
      const bytes = load(oldest.id, from)
      for (let at = 0; at < bytes.length;) {
        const f = frameAt(bytes, at)
        if (f.kind !== 'entry') break
        entries++
        at = f.next
      }
      const next = { segment: nextAfter(oldest.id) ?? write.id, offset: 0 }
      if (acked.segment <= oldest.id) acked = next
      if (read.segment <= oldest.id) {
        read = next
        chunk = undefined
      }
      return { entries, segment: oldest.id }
    },

    // Segments wholly acknowledged or dropped wait for the next checkpoint to be deleted: no longer counted.
    bytes: () => segments.reduce((n, s) => (s.id >= acked.segment ? n + s.size : n), 0),
    diskBytes: () => segments.reduce((n, s) => n + s.size, 0),

    positions: () => ({ acked, read, write: { segment: write.id, offset: write.size } }),

    async close() {
      await log.sync()
      await log.checkpoint()
      if (writeFd !== undefined) files.close(writeFd)
      writeFd = undefined
      for (const fd of closing.values()) files.close(fd)
      closing.clear()
    },
  }
  return log
}
