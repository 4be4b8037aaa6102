// The file operations a durable buffer needs (buffer/segment-log.ts), over node:fs, which Bun and
// Deno both provide: appends to the newest segment, reads of a range, fsync of a file and of a
// directory, an atomic replace (temp file, fsync, rename, fsync of the directory), unlink. Errors
// are thrown as node:fs throws them (with `code`: ENOSPC, EIO, EROFS, …); the segment log turns
// them into result values. Tests wrap it to fail on demand where a real disk cannot.
import * as fs from 'node:fs'
import { join } from 'node:path'

export interface LogFiles {
  mkdirp(dir: string): void
  /** File names in `dir` (not paths). */
  list(dir: string): string[]
  /** Opens a file for appending, creating it. */
  openAppend(path: string): number
  openRead(path: string): number
  size(fd: number): number
  /** Writes all of `bytes` at the end of the file (throws on a short write). */
  append(fd: number, bytes: Uint8Array): void
  /** Writes all of `chunks`, in order, at the end of the file: one system call when it can (writev). */
  appendAll(fd: number, chunks: readonly Uint8Array[]): void
  /** Reads up to `length` bytes at `position`; fewer at the end of the file. */
  read(fd: number, position: number, length: number): Uint8Array
  fsync(fd: number): Promise<void>
  close(fd: number): void
  unlink(path: string): void
  /** Replaces `path` with `bytes`: a crash leaves the old content or the new, never a mix, and the new is on stable storage. */
  replaceAtomic(path: string, bytes: Uint8Array): Promise<void>
  /**
   * Writes `bytes` over the start of an existing file of that size, in place, and fsyncs it: no new
   * block is needed, so it works on a full disk (the durable buffer's ledger).
   */
  overwrite(path: string, bytes: Uint8Array): Promise<void>
  /** Creates (or replaces) a small file at once, unsynced: the durable buffer's ledger, so that it exists before the disk may fill. */
  writeSmall(path: string, bytes: Uint8Array): void
  /** Reads a whole small file; undefined when it does not exist. */
  readSmall(path: string): Uint8Array | undefined
  /** Truncates a file to `length` bytes (buffer repair). */
  truncate(path: string, length: number): void
}

const fsyncFd = (fd: number) => new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())))

function fsyncDir(dir: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    fs.open(dir, 'r', (err, fd) => {
      if (err) return reject(err)
      fs.fsync(fd, (syncErr) => {
        fs.close(fd, () => (syncErr ? reject(syncErr) : resolve()))
      })
    })
  })
}

export const nodeLogFiles: LogFiles = {
  mkdirp: (dir) => void fs.mkdirSync(dir, { recursive: true }),
  list: (dir) => fs.readdirSync(dir),
  openAppend: (path) => fs.openSync(path, 'a'),
  openRead: (path) => fs.openSync(path, 'r'),
  size: (fd) => fs.fstatSync(fd).size,
  append(fd, bytes) {
    let done = 0
    while (done < bytes.length) {
      const n = fs.writeSync(fd, bytes, done, bytes.length - done)
      if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' })
      done += n
    }
  },
  appendAll(fd, chunks) {
    const total = chunks.reduce((n, c) => n + c.length, 0)
    const n = chunks.length === 1 ? fs.writeSync(fd, chunks[0]!) : fs.writevSync(fd, chunks as Uint8Array[])
    if (n === total) return
    // A short write: the rest, in order.
    const rest = new Uint8Array(total - n)
    let skip = n
    let at = 0
    for (const c of chunks) {
      if (skip >= c.length) {
        skip -= c.length
        continue
      }
      rest.set(c.subarray(skip), at)
      at += c.length - skip
      skip = 0
    }
    nodeLogFiles.append(fd, rest)
  },
  read(fd, position, length) {
    const out = new Uint8Array(length)
    let got = 0
    while (got < length) {
      const n = fs.readSync(fd, out, got, length - got, position + got)
      if (n === 0) break
      got += n
    }
    return got === length ? out : out.subarray(0, got)
  },
  fsync: fsyncFd,
  close: (fd) => fs.closeSync(fd),
  unlink: (path) => fs.unlinkSync(path),
  async replaceAtomic(path, bytes) {
    const tmp = `${path}.tmp`
    const fd = fs.openSync(tmp, 'w')
    try {
      fs.writeSync(fd, bytes)
      await fsyncFd(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, path)
    await fsyncDir(join(path, '..'))
  },
  async overwrite(path, bytes) {
    const fd = fs.openSync(path, 'r+')
    try {
      fs.writeSync(fd, bytes, 0, bytes.length, 0)
      await fsyncFd(fd)
    } finally {
      fs.closeSync(fd)
    }
  },
  writeSmall: (path, bytes) => fs.writeFileSync(path, bytes),
  readSmall(path) {
    try {
      return new Uint8Array(fs.readFileSync(path))
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return undefined
      throw err
    }
  },
  truncate: (path, length) => fs.truncateSync(path, length),
}
