// Wires a validated Config into a running relay: the universal-tag dictionary, one exporter per
// config entry (plans, queues, sink), and the HTTP app. No runtime globals: everything that
// touches the outside world comes in through RelayDeps.
import type { Hono } from 'hono'
import { DEFAULTS } from '../config/defaults.ts'
import type { Config, ExporterConfig } from '../config/types.ts'
import { createTimeFormatter } from '../encode/time-str.ts'
import type { ZoneFileReader } from '../time/zone.ts'
import { buildExporter, type BuiltExporter } from '../exporters/build-exporter.ts'
import type { HttpFetch } from '../runtime/http-port.ts'
import { loadPrompb } from '../wire/remote-write/prompb-loader.ts'
import { createStatusTracker } from '../http/status.ts'
import { VERSION } from '../version.ts'
import { createStdoutSink, type WriteStdout } from '../exporters/stdout/stdout-sink.ts'
import { createApp } from '../http/app.ts'
import type { Logger } from '../observe/log.ts'
import { createRelayMetrics, type RelayMetrics } from '../observe/relay-metrics.ts'
import type { Sized } from '../pipeline/send-result.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import type { RetryPolicy } from '../pipeline/worker.ts'
import { EMPTY_DICTIONARY, type DictionaryHolder } from '../translate/dictionary.ts'
import { loadDictionary, watchDictionary } from '../translate/dictionary-file.ts'
import type { Clock } from '../util/clock.ts'
import { admitGroups } from '../pipeline/admission.ts'
import { createClickHouseClient } from '../sources/clickhouse/client.ts'
import { createClickHouseSource, type Source } from '../sources/clickhouse/source.ts'
import { createWallClockParser } from '../time/parse-wall-clock.ts'

export { loadDictionary }

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

export interface ReloadResult {
  readonly kept: readonly string[]
  readonly replaced: readonly string[]
  readonly added: readonly string[]
  readonly removed: readonly string[]
  /** Relay settings that differ but only apply at a restart. */
  readonly needRestart: readonly string[]
}

/** Exporter configs compared as their content, whatever their position in the file. */
function sameExporter(a: ExporterConfig, b: ExporterConfig): boolean {
  return JSON.stringify({ ...a, index: 0 }) === JSON.stringify({ ...b, index: 0 })
}

export class StartError extends Error {}

export function createRelay(config: Config, deps: RelayDeps): Relay {
  const { clock, log } = deps
  const metrics = createRelayMetrics()
  const dictionary: DictionaryHolder = { current: EMPTY_DICTIONARY }
  const formatTime = createTimeFormatter(config.relay.timeZone, deps.readZoneFile)
  const context = {
    dictionary, formatTime, stdout: createStdoutSink(deps.writeStdout), clock, log, metrics, fetch: deps.fetch, retry: deps.retry,
    overflow: config.relay.overflow,
  }
  const build = (e: ExporterConfig): BuiltExporter => {
    try {
      return buildExporter(e, context)
    } catch (err) {
      throw new StartError(err instanceof Error ? err.message : String(err))
    }
  }
  let built: BuiltExporter[] = config.exporters.map(build)
  /** The warnings of the config the exporters run (a reload replaces them). */
  let warnings = config.warnings
  let exporters = built.map((b) => b.exporter)
  /** Exporters retired by a reload, still draining to their old endpoints. */
  const draining: Promise<void>[] = []

  /** Reads the CA file of an exporter's tls settings. */
  const loadTls = async ({ exporter, tls }: BuiltExporter) => {
    const e = exporter.config
    if (e.tls === null) return
    let ca: string | null = null
    if (e.tls.caFile !== null) {
      try {
        ca = await deps.readTextFile(e.tls.caFile)
      } catch (err) {
        throw new StartError(`exporter "${e.name}": tls.ca-file: cannot read ${e.tls.caFile}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    tls.current = { ca, insecureSkipVerify: e.tls.insecureSkipVerify }
  }
  const sources: Source[] = config.sources.map((sc) => {
    if (deps.fetch === undefined) throw new StartError(`sources: ${sc.name}: no HTTP client in this runtime`)
    return createClickHouseSource({
      config: sc,
      client: createClickHouseClient({ url: sc.url, user: sc.user, password: sc.password, fetch: deps.fetch, clock, timeoutMs: DEFAULTS.clickhouse.queryTimeout * 1000 }),
      admit: (groups) => admitGroups(groups, exporters),
      wallClock: (zone) => createWallClockParser(zone, deps.readZoneFile),
      clock,
      log,
      metrics: { rows: metrics.sourceRows, queries: metrics.sourceQueries, waits: metrics.sourceWaits, rejected: metrics.rejected, received: metrics.received, unknownFields: metrics.unknownFields },
      readTextFile: deps.readTextFile,
      writeTextFileAtomic: deps.writeTextFileAtomic ?? (async () => {
        throw new Error('no file writer in this runtime')
      }),
    })
  })
  let started = false
  let stopping: Promise<void> | undefined
  const pollAbort = new AbortController()

  metrics.registry.gauge('deepflow_relay_queue_records', 'Records held by the exporter queues (waiting or in flight).', ['exporter'],
    () => exporters.map((e) => [[e.config.name], e.held().records] as const))
  metrics.registry.gauge('deepflow_relay_queue_bytes', 'Bytes held by the exporter queues (waiting or in flight).', ['exporter'],
    () => exporters.map((e) => [[e.config.name], e.held().bytes] as const))
  metrics.registry.gauge('deepflow_relay_queue_capacity_records', 'queue-size × queue-count of the exporter.', ['exporter'],
    () => exporters.map((e) => [[e.config.name], e.config.queueSize * e.config.queueCount] as const))
  metrics.registry.gauge('deepflow_relay_queue_capacity_bytes', 'queue-max-bytes of the exporter.', ['exporter'],
    () => exporters.map((e) => [[e.config.name], e.config.queueMaxBytes] as const))
  metrics.registry.gauge('deepflow_relay_endpoint_up', '1 unless the last request to the endpoint failed (1 before the first).', ['exporter', 'endpoint'],
    () => built.flatMap((b) => (b.endpoints?.endpoints ?? []).map((ep) => [[b.exporter.config.name, ep.label], ep.lastOk === false ? 0 : 1] as const)))
  metrics.registry.gauge('deepflow_relay_exporter_up', '1 unless the last send attempt of the exporter failed.', ['exporter'],
    () => exporters.map((e) => [[e.config.name], e.healthy() ? 1 : 0] as const))

  function notReadyReason(): string | null {
    if (!started) return 'starting'
    if (stopping !== undefined) return 'shutting down'
    const down = exporters.filter((e) => !e.healthy()).map((e) => e.config.name)
    if (down.length > 0) return `every endpoint failed its last attempt for exporter(s): ${down.join(', ')}`
    const failing = sources.filter((s) => !s.healthy()).map((s) => s.name)
    return failing.length === 0 ? null : `ClickHouse queries failing for source(s): ${failing.join(', ')}`
  }

  const status = createStatusTracker({
    clock,
    metrics,
    exporters: () => exporters,
    endpointsOf: (name) => built.find((b) => b.exporter.config.name === name)?.endpoints ?? null,
    version: VERSION,
    runtime: deps.runtimeName ?? 'unknown',
    configFile: config.file,
    notReadyReason,
    warnings: () => warnings,
  })

  const app = createApp({
    exporters: () => exporters,
    metrics,
    log,
    maxBodyBytes: config.relay.maxBodyBytes,
    limits: config.relay.limits,
    authToken: config.relay.authToken,
    protectMetrics: config.relay.protectMetrics,
    shuttingDown: () => stopping !== undefined,
    renderMetrics: () => metrics.registry.render(),
    notReadyReason,
    status: () => status.snapshot(),
  })

  return {
    app,
    metrics,
    get exporters() {
      return exporters
    },
    sources,
    async reload(next) {
      if (stopping !== undefined) throw new StartError('shutting down')
      if (next.exporters.some((e) => e.protocol === 'prometheus')) await loadPrompb()
      const old = new Map(built.map((b) => [b.exporter.config.name, b]))
      const nextBuilt: BuiltExporter[] = []
      const kept: string[] = []
      const replaced: string[] = []
      const added: string[] = []
      for (const e of next.exporters) {
        const prior = old.get(e.name)
        if (prior !== undefined && sameExporter(prior.exporter.config, e)) {
          nextBuilt.push(prior)
          kept.push(e.name)
          old.delete(e.name)
          continue
        }
        const b = build(e)
        await loadTls(b)
        nextBuilt.push(b)
        ;(prior === undefined ? added : replaced).push(e.name)
      }
      const removed = [...old.keys()].filter((name) => !replaced.includes(name))
      built = nextBuilt
      exporters = built.map((b) => b.exporter)
      warnings = next.warnings
      const deadline = clock.now() + config.relay.shutdownTimeout * 1000
      for (const retired of old.values()) draining.push(retired.exporter.stop(deadline))
      const needRestart = (['listen', 'tls', 'authToken', 'protectMetrics', 'overflow', 'limits', 'maxBodyBytes', 'timeZone', 'clientTimeout', 'universalTags'] as const)
        .filter((k) => JSON.stringify(config.relay[k]) !== JSON.stringify(next.relay[k]))
        .map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))
      if (JSON.stringify(config.sources) !== JSON.stringify(next.sources)) needRestart.push('sources')
      return { kept, replaced, added, removed, needRestart }
    },
    async start() {
      if (config.exporters.some((e) => e.protocol === 'prometheus')) await loadPrompb()
      for (const b of built) await loadTls(b)
      const path = config.relay.universalTags
      if (path !== null) {
        const mtime = await deps.fileMtime(path)
        const loaded = await loadDictionary(path, deps.readTextFile)
        if (!loaded.ok) throw new StartError(`relay.universal-tags: ${loaded.error}`)
        dictionary.current = loaded.dictionary
        void watchDictionary(path, mtime, dictionary, { ...deps, pollMs: deps.dictionaryPollMs ?? 5000 }, pollAbort.signal)
      }
      for (const source of sources) {
        try {
          await source.start()
        } catch (err) {
          throw new StartError(err instanceof Error ? err.message : String(err))
        }
      }
      void status.run(pollAbort.signal)
      started = true
    },
    stop() {
      stopping ??= (async () => {
        pollAbort.abort()
        await Promise.all(sources.map((s) => s.stop()))
        const deadline = clock.now() + config.relay.shutdownTimeout * 1000
        await Promise.all([...exporters.map((e) => e.stop(deadline)), ...draining])
      })()
      return stopping
    },
  }
}
