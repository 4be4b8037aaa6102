// The stdout exporter (relay-only): each record's Kafka JSON line on standard output, one per line.
// What a Kafka consumer would read, without a broker: for trying configs and for piping.
import type { JsonItem } from '../json-plan.ts'
import { releaseLine } from '../../encode/line-writer.ts'
import { failed, OK, retryable, type Sink } from '../../pipeline/send-result.ts'

/** Writes to standard output; resolves once the runtime has taken it (backpressure). */
export type WriteStdout = (data: string | Uint8Array) => Promise<void>

export function createStdoutSink(write: WriteStdout): Sink<JsonItem> {
  return {
    async send(batch) {
      let size = 0
      for (const item of batch) size += item.bytes + 1
      const out = new Uint8Array(size)
      let at = 0
      for (const item of batch) {
        out.set(item.line, at)
        at += item.line.length
        out[at++] = 10 // \n
      }
      try {
        await write(out)
        return OK
      } catch (err) {
        const code = (err as { code?: unknown }).code
        const message = err instanceof Error ? err.message : String(err)
        // Nobody reads a closed pipe again: retrying cannot help.
        return code === 'EPIPE' ? failed(`stdout closed: ${message}`) : retryable(`stdout write failed: ${message}`)
      }
    },
    async close() {},
    /** The batch left its worker for good: its lines' bytes are reused (send copied them out). */
    release(batch) {
      for (const item of batch) releaseLine(item.line)
    },
  }
}
