// An exporter's `buffer:` (relay-only): where its queues live.
//   buffer: {type: memory}                                     the default, also when absent or null
//   buffer: {type: disk, path, max-bytes, sync-interval}       a durable buffer on disk
// With type disk the exporter's files are in `<path>/<exporter name>/q<queue>/` (buffer/layout.ts);
// `path` is required (relative: to the config file's directory, resolved by the loader),
// `max-bytes` bounds the exporter's files, all queues together (default 1Gi, at least 1Mi per
// queue), `sync-interval` is the seconds between fsyncs (default 0.5; 0: fsync before the 202).
// The keys of type disk given with type memory are ignored with a warning. Whether the directory
// can be written is checked where the config loader may touch the disk (buffer-paths.ts).
import * as v from 'valibot'
import { DEFAULTS } from '../config/defaults.ts'
import type { BufferConfig } from '../config/types.ts'
import { byteQuantity } from './byte-quantity.ts'
import { goMapping, isMapping, optionalNumber, optionalText } from './go-values.ts'
import type { ConfigPath, ConfigProblem } from './problems.ts'

const BUFFER_TYPES = ['memory', 'disk'] as const
const MIB = 2 ** 20

export const BUFFER_ENTRIES = {
  type: v.pipe(
    optionalText('memory or disk'),
    v.check((t) => t === undefined || (BUFFER_TYPES as readonly string[]).includes(t), (i) => `expected memory or disk, got ${i.received}`),
  ),
  path: optionalText('a directory path'),
  'max-bytes': byteQuantity,
  'sync-interval': v.pipe(
    optionalNumber('a number of seconds (0 or more)'),
    v.check((n) => n === undefined || (Number.isFinite(n) && n >= 0), 'expected a number of seconds (0 or more)'),
  ),
}

/** `buffer:` as the exporter schema takes it; null or absent: undefined (memory). */
export const BufferSchema = v.nullish(
  v.pipe(
    v.custom<unknown>(isMapping, 'expected a mapping {type: memory} or {type: disk, path, max-bytes, sync-interval}'),
    goMapping(BUFFER_ENTRIES),
  ),
)

export type RawBuffer = v.InferOutput<typeof BufferSchema>

const DISK_ONLY = ['path', 'max-bytes', 'sync-interval'] as const

/**
 * The exporter's buffer; problems and warnings under `base` (the exporter's path). `exporter`: its
 * name (a directory name with type disk) and queue count (max-bytes holds at least 1Mi per queue).
 */
export function checkBuffer(
  raw: RawBuffer,
  exporter: { readonly name: string; readonly queueCount: number },
  base: ConfigPath,
  problems: ConfigProblem[],
  warnings: ConfigProblem[],
): BufferConfig {
  const at = (...rel: string[]): ConfigPath => [...base, 'buffer', ...rel]
  if (raw == null || raw.type === undefined || raw.type === 'memory') {
    for (const key of DISK_ONLY) {
      if (raw?.[key] != null) {
        warnings.push({
          path: at(key),
          message: `only used with type disk (this buffer is in memory${raw?.type === undefined ? ', the default type' : ''}); ignored`,
        })
      }
    }
    return { type: 'memory' }
  }
  const path = raw.path ?? ''
  if (path === '') {
    problems.push({
      path: at('path'),
      message: "required with type disk: the directory that holds the exporter's buffer (in <path>/<exporter name>/)",
    })
  }
  if (exporter.name === '.' || exporter.name === '..') {
    problems.push({
      path: [...base, 'name'],
      message: `${JSON.stringify(exporter.name)} cannot name a buffer directory (<path>/<exporter name>/); choose another name`,
    })
  }
  const maxBytes = raw['max-bytes'] ?? DEFAULTS.exporter.bufferMaxBytes
  const queues = Math.min(Math.max(exporter.queueCount, 1), DEFAULTS.maxQueueCount)
  const least = queues * DEFAULTS.exporter.bufferMinBytesPerQueue
  if (maxBytes < least) {
    problems.push({
      path: at('max-bytes'),
      message: `expected at least ${least} bytes (${least / MIB}Mi: 1Mi for each of the exporter's ${queues} queue${
        queues === 1 ? '' : 's'
      }, so that each queue's share holds several segments), got ${maxBytes}`,
    })
  }
  return { type: 'disk', path, maxBytes, syncInterval: raw['sync-interval'] ?? DEFAULTS.exporter.bufferSyncInterval }
}
