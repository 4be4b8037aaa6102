// The stdout exporter (relay-only): each record's Kafka JSON line on standard output, one per line.
// What a Kafka consumer would read, without a broker: for trying configs and for piping.
import type { JsonItem } from '../json-plan.ts'
import { failed, OK, retryable, type Sink } from '../../pipeline/send-result.ts'

/** Writes text to standard output; resolves once the runtime has taken it (backpressure). */
export type WriteStdout = (text: string) => Promise<void>

export function createStdoutSink(write: WriteStdout): Sink<JsonItem> {
  return {
    async send(batch) {
      let text = ''
      for (const item of batch) text += `${item.line}\n`
      try {
        await write(text)
        return OK
      } catch (err) {
        const code = (err as { code?: unknown }).code
        const message = err instanceof Error ? err.message : String(err)
        // Nobody reads a closed pipe again: retrying cannot help.
        return code === 'EPIPE' ? failed(`stdout closed: ${message}`) : retryable(`stdout write failed: ${message}`)
      }
    },
    async close() {},
  }
}
