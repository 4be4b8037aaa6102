// Where an exporter's durable buffer lives on disk: `<path>/<exporter name>/q<queue>/`, one segment
// log (segment-log.ts: `%020d.seg` files and `ledger.json`) per queue of the exporter, q0 to
// q<queue-count − 1>. `path` is the exporter's `buffer.path` (the loader resolved it).
import { join } from 'node:path'

/** `<path>/<exporter name>`: the exporter's own directory. */
export const exporterBufferDir = (path: string, name: string): string => join(path, name)

/** `q<queue>`: a queue's directory name in the exporter's directory. */
export const queueDirName = (queue: number): string => `q${queue}`

/** `<path>/<exporter name>/q<queue>`: a queue's directory. */
export const queueBufferDir = (exporterDir: string, queue: number): string => join(exporterDir, queueDirName(queue))

/** The queue a directory name `q<N>` stands for; undefined for any other name. */
export function queueOfDirName(name: string): number | undefined {
  const m = /^q(0|[1-9]\d*)$/.exec(name)
  return m === null ? undefined : Number(m[1])
}
