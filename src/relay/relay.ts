// Wires a validated Config into a running relay: the universal-tag dictionary, the exporters
// (running-exporters.ts), the sources (sources/build-sources.ts), the gauges (observe/relay-gauges.ts),
// readiness (readiness.ts), the status tracker and the HTTP app; then starts them, reloads (the plan
// of reload-plan.ts, applied to the exporters) and stops them. No runtime globals: everything that touches the outside
// world comes in through RelayDeps.
import { loadExportersFor } from '../exporters/otlp/lazy.ts'
import type { Hono } from 'hono'
import type { Config } from '../config/types.ts'
import { createTimeFormatter } from '../encode/time-str.ts'
import type { ZoneFileReader } from '../time/zone.ts'
import type { BuildContext } from '../exporters/build-exporter.ts'
import type { HttpFetch } from '../runtime/http-port.ts'
import { createStatusTracker } from '../http/status.ts'
import { VERSION } from '../version.ts'
import { createStdoutSink, type WriteStdout } from '../exporters/stdout/stdout-sink.ts'
import { createApp } from '../http/app.ts'
import type { Logger } from '../observe/log.ts'
import { registerExporterGauges } from '../observe/relay-gauges.ts'
import { createRelayMetrics, type RelayMetrics } from '../observe/relay-metrics.ts'
import type { Sized } from '../pipeline/send-result.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import type { RetryPolicy } from '../pipeline/worker.ts'
import type { DictionaryHolder } from '../translate/dictionary.ts'
import { loadDictionary } from '../translate/dictionary-file.ts'
import { k8sLabelsWanted } from '../exporters/k8s-labels-wanted.ts'
import { createNames } from './names.ts'
import { type Clock, yieldToEventLoop } from '../util/clock.ts'
import { buildSources } from '../sources/build-sources.ts'
import type { Source } from '../sources/clickhouse/source.ts'
import { notReadyReason } from './readiness.ts'
import { planReload, type ReloadPlan } from './reload-plan.ts'
import { createIngestLimits, type MemoryDeps, NO_MEMORY_LIMIT } from './ingest-limits.ts'
import { createRunningExporters } from './running-exporters.ts'
import { asStartError, StartError, toStartError } from './start-error.ts'

export { loadDictionary, StartError }

export interface RelayDeps {
  readonly clock: Clock
  readonly log: Logger
  readonly writeStdout: WriteStdout
  readonly readTextFile: (path: string) => Promise<string>
  /** Modification time of a file in ms, undefined when it cannot be read. */
  readonly fileMtime: (path: string) => Promise<number | undefined>
  readonly readZoneFile?: ZoneFileReader
  /** fetch with TLS options, for remote write (the runtime adapter's). */
  readonly fetch?: HttpFetch
  /** Replaces the retry timing (initial and maximum backoff) in tests; max duration comes from the config. */
  readonly retry?: Omit<RetryPolicy, 'maxDurationMs'>
  /** How often the universal-tags file is checked for changes. */
  readonly dictionaryPollMs?: number
  /** Shown on the status page. */
  readonly runtimeName?: string
  /** For the ClickHouse source's cursor file. */
  readonly writeTextFileAtomic?: (path: string, text: string) => Promise<void>
  /** The memory budget and what the runtime measures; absent: no limit (NO_MEMORY_LIMIT). */
  readonly memory?: MemoryDeps
}

export interface Relay {
  readonly app: Hono
  readonly metrics: RelayMetrics
  readonly exporters: readonly Exporter<Sized>[]
  readonly sources: readonly Source[]
  /** Loads the dictionary; throws StartError when it cannot. */
  start(): Promise<void>
  /** Stops admitting, flushes queues within relay.shutdown-timeout, closes sinks. Idempotent. */
  stop(): Promise<void>
  /**
   * Applies a new config's exporters (SIGHUP): unchanged ones keep their queues and in-flight
   * batches; changed and removed ones drain to their old endpoints while new records go to the new
   * ones. Throws (changing nothing) when a new exporter cannot be built.
   */
  reload(next: Config): Promise<ReloadResult>
}

export type ReloadResult = ReloadPlan

export function createRelay(config: Config, deps: RelayDeps): Relay {
  const { clock, log } = deps
  const metrics = createRelayMetrics()
  let exporters: () => readonly Exporter<Sized>[] = () => []
  const names = asStartError(() =>
    createNames(config.relay.universalTags, {
      ...deps,
      metrics,
      pollMs: deps.dictionaryPollMs ?? 5000,
      labelsWanted: () => k8sLabelsWanted(exporters().map((e) => e.config)),
    })
  )
  const dictionary = names.holder
  const gate = createIngestLimits(config.relay, config.exporters, deps.memory ?? NO_MEMORY_LIMIT, { clock, log, metrics })
  const exporterSet = createRunningExporters(config.exporters, {
    context: { ...buildContext(config, deps, metrics, dictionary), afterBatch: gate.memory.pace },
    readTextFile: deps.readTextFile,
    deadline: () => clock.now() + config.relay.shutdownTimeout * 1000,
  })
  exporters = exporterSet.current
  /** The warnings of the config the exporters run (a reload replaces them). */
  let warnings = config.warnings
  const sources = asStartError(() => buildSources(config.sources, { ...deps, exporters, metrics, memory: gate.memory }))
  let started = false
  let stopping: Promise<void> | undefined
  const pollAbort = new AbortController()

  registerExporterGauges(metrics.registry, exporters)
  const notReady = () => notReadyReason({ started, stopping: stopping !== undefined, exporters: exporters(), sources })
  const status = createStatusTracker({
    clock,
    metrics,
    exporters,
    version: VERSION,
    runtime: deps.runtimeName ?? 'unknown',
    configFile: config.file,
    notReadyReason: notReady,
    warnings: () => warnings,
    names: () => names.status(),
  })
  const app = createApp({
    exporters,
    gate,
    metrics,
    log,
    maxBodyBytes: config.relay.maxBodyBytes,
    limits: config.relay.limits,
    authToken: config.relay.authToken,
    protectMetrics: config.relay.protectMetrics,
    shuttingDown: () => stopping !== undefined,
    renderMetrics: () => metrics.registry.render(),
    notReadyReason: notReady,
    status: () => status.snapshot(),
    pause: yieldToEventLoop,
  })

  /** Applies the plan of `next` to the exporters; relay settings and sources stay as started. */
  async function reload(next: Config): Promise<ReloadResult> {
    if (stopping !== undefined) throw new StartError('shutting down')
    const plan = planReload({ exporters: exporters().map((e) => e.config), relay: config.relay, sources: config.sources }, next)
    await loadExportersFor(next.exporters)
    await exporterSet.apply(plan, next.exporters)
    warnings = next.warnings
    return plan
  }

  async function start(): Promise<void> {
    await exporterSet.loadTls()
    await names.start(pollAbort.signal)
    for (const source of sources) {
      try {
        await source.start()
      } catch (err) {
        throw toStartError(err)
      }
    }
    void status.run(pollAbort.signal)
    started = true
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      pollAbort.abort()
      await Promise.all(sources.map((s) => s.stop()))
      await exporterSet.stop()
    })()
    return stopping
  }

  return {
    app,
    metrics,
    get exporters() {
      return exporters()
    },
    sources,
    reload,
    start,
    stop,
  }
}

/** What every exporter is built with: the dictionary, time formatting, standard output and the relay's plumbing. */
function buildContext(config: Config, deps: RelayDeps, metrics: RelayMetrics, dictionary: DictionaryHolder): BuildContext {
  return {
    dictionary,
    formatTime: createTimeFormatter(config.relay.timeZone, deps.readZoneFile),
    stdout: createStdoutSink(deps.writeStdout),
    clock: deps.clock,
    log: deps.log,
    metrics,
    fetch: deps.fetch,
    retry: deps.retry,
    overflow: config.relay.overflow,
  }
}
