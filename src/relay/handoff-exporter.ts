// A reload that changes an exporter with a durable buffer: two exporters cannot share the buffer's
// files, so the new one waits for the old one. The old one drains what it holds to its old
// endpoints (until the reload's deadline, relay.shutdown-timeout) and closes its buffer, with what
// it could not send left in it; then the new one is built on the same directory, reads that back
// (counted as replayed) and sends it, and everything after, to its own endpoints. Meanwhile this
// stand-in answers for it as a full queue does: 429 with Retry-After (the ClickHouse source waits).
import type { ExporterConfig } from '../config/types.ts'
import type { Logger } from '../observe/log.ts'
import type { Exporter, Staged, Stager } from '../pipeline/exporter.ts'
import type { Sized } from '../pipeline/send-result.ts'
import { createTapHub, type ExporterTap } from '../pipeline/tap-hub.ts'

/** What a full queue stages: nothing, refused. */
const refused = (queues: number): Staged<Sized> => ({
  perQueue: Array.from({ length: queues }, () => []),
  bytes: 0,
  filtered: 0,
  tooLarge: 0,
  settled: 'full',
})

export function handoffExporter(
  config: ExporterConfig,
  retiring: Promise<void>,
  build: () => Promise<Exporter<Sized>>,
  log: Logger,
): Exporter<Sized> {
  let inner: Exporter<Sized> | undefined
  const ready = retiring.then(build).then(
    (e) => {
      inner = e
      log.info('reload: the exporter with a durable buffer took over its buffer', { exporter: config.name })
    },
    (err: unknown) =>
      log.error('reload: the exporter could not be built after its old self drained', { exporter: config.name, error: err }),
  )
  const idleTap: ExporterTap = createTapHub<Sized>({ now: () => 0, render: () => [] })
  const stager = (): Stager<Sized> => ({ add: () => {}, settled: true, done: () => refused(config.queueCount) })
  return {
    config,
    wants: (ds) => inner?.wants(ds) ?? config.dataSources.includes(ds),
    stage: (ds, records) => (inner === undefined ? refused(config.queueCount) : inner.stage(ds, records)),
    stager: (ds) => (inner === undefined ? stager() : inner.stager(ds)),
    fits: (staged) => (inner === undefined ? 'full' : inner.fits(staged)),
    commit: (ds, staged) => inner?.commit(ds, staged),
    held: () => inner?.held() ?? { records: 0, bytes: 0 },
    isFull: () => inner?.isFull() ?? true,
    roomBytes: () => inner?.roomBytes() ?? 0,
    healthy: () => inner?.healthy() ?? true,
    buffer: () => inner?.buffer() ?? null,
    endpoints: () => inner?.endpoints() ?? config.endpoints.map((endpoint) => ({ endpoint, up: true, lastError: null, ownState: false })),
    get tap() {
      return inner?.tap ?? idleTap
    },
    async stop(deadlineMs) {
      await ready
      await inner?.stop(deadlineMs)
    },
  }
}
