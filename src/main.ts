// main(runtime): the command line. `check` validates a config; `buffer inspect|repair` reads or
// repairs the exporters' disk buffers (cli/buffer-command.ts); otherwise load the config (or the
// embedded default), start the relay, serve HTTP, and on SIGTERM/SIGINT shut down in order:
// stop admitting (503), flush queues within relay.shutdown-timeout, close sinks, close the listener.
import { loadExportersFor } from './exporters/otlp/lazy.ts'
import { parseCommand, USAGE } from './cli/args.ts'
import { renderEffectiveConfig } from './cli/effective-config.ts'
import { bufferPathProblems } from './config-file/buffer-paths.ts'
import { embeddedDefaultConfig, type Overrides, parseConfig } from './config-file/load.ts'
import { ConfigError, formatProblem } from './config-file/problems.ts'
import type { Config } from './config/types.ts'
import { createLogger } from './observe/log.ts'
import { budgetShortfall, describeBudget, type MemoryBudget, memoryBudget } from './relay/memory-budget.ts'
import { createRelay, loadDictionary, type Relay, StartError } from './relay/relay.ts'
import { cgroupMemory } from './runtime/cgroup-memory.ts'
import type { Logger } from './observe/log.ts'
import type { Runtime } from './runtime/types.ts'
import { systemClock } from './util/clock.ts'
import { VERSION } from './version.ts'

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_CONFIG = 2

/**
 * The config, with the files it names checked (`checkFiles`: the universal-tags dictionary, the
 * disk buffers' directories); the buffer commands, which read buffers only, leave that out.
 */
async function loadConfig(runtime: Runtime, file: string | undefined, overrides: Overrides, checkFiles = true): Promise<Config> {
  if (file === undefined) return embeddedDefaultConfig(overrides)
  let text: string
  try {
    text = await runtime.readTextFile(file)
  } catch (err) {
    throw new ConfigError([{ path: ['--config'], message: `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}` }])
  }
  const config = parseConfig(text, file, overrides)
  if (!checkFiles) return config
  if (config.relay.universalTags?.kind === 'file') {
    const loaded = await loadDictionary(config.relay.universalTags.path, runtime.readTextFile)
    if (!loaded.ok) throw new ConfigError([{ path: ['relay', 'universal-tags'], message: loaded.error }])
  }
  if (config.exporters.some((e) => e.buffer.type === 'disk')) {
    const { nodeDirProbe } = await import('./runtime/dir-probe.ts')
    const problems = bufferPathProblems(config, nodeDirProbe)
    if (problems.length > 0) throw new ConfigError(problems)
  }
  return config
}

export async function main(runtime: Runtime): Promise<number> {
  /** Start-up markers, ms since the process started: logged with "deepflow-relay started". */
  const marks: Record<string, number> = { modules: runtime.uptimeMs() }
  const command = parseCommand(runtime.args)
  const stderr = (s: string) => runtime.writeStderr(s.endsWith('\n') ? s : `${s}\n`)
  if (command.kind === 'help') {
    await runtime.writeStdout(USAGE)
    return EXIT_OK
  }
  if (command.kind === 'version') {
    await runtime.writeStdout(`deepflow-relay ${VERSION} (${runtime.name})\n`)
    return EXIT_OK
  }
  if (command.kind === 'usage-error') {
    stderr(`deepflow-relay: ${command.error}\n\n${USAGE}`)
    return EXIT_CONFIG
  }

  const envConfig = runtime.env('DEEPFLOW_RELAY_CONFIG')
  const envListen = runtime.env('DEEPFLOW_RELAY_LISTEN')
  const envToken = runtime.env('DEEPFLOW_RELAY_AUTH_TOKEN')
  const file = command.config ?? (envConfig === '' ? undefined : envConfig)
  // The buffer commands read the exporters only: the listener's settings do not concern them.
  const overrides: Overrides = command.kind === 'buffer' ? {} : {
    ...(command.listen !== undefined
      ? { listen: { value: command.listen, from: '--listen' } }
      : envListen !== undefined && envListen !== ''
      ? { listen: { value: envListen, from: 'DEEPFLOW_RELAY_LISTEN' } }
      : {}),
    ...(command.logLevel === undefined ? {} : { logLevel: { value: command.logLevel, from: '--log-level' } }),
    ...(envToken === undefined || envToken === '' ? {} : { authToken: envToken }),
  }

  let config: Config
  try {
    config = await loadConfig(runtime, file, overrides, command.kind !== 'buffer')
    marks.config = runtime.uptimeMs()
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    const where = file ?? 'the embedded default'
    stderr(
      `deepflow-relay: ${where} is not valid (${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}):\n${
        err.problems.map((p) => `  ${formatProblem(p)}`).join('\n')
      }`,
    )
    return EXIT_CONFIG
  }

  if (command.kind === 'buffer') {
    // node:fs (the segment files) is loaded for these commands only.
    const [{ runBufferCommand }, { nodeLogFiles }] = await Promise.all([
      import('./cli/buffer-command.ts'),
      import('./runtime/log-files.ts'),
    ])
    return runBufferCommand(command.action, config, { files: nodeLogFiles, now: systemClock.now, writeStdout: runtime.writeStdout }, {
      json: command.json,
    })
  }

  const budget = memoryBudget(config.relay.memoryLimit, await cgroupMemory(runtime.readSystemFile))
  const shortfall = budgetShortfall(budget, config.exporters)
  if (command.kind === 'check') {
    const warnings = shortfall === null ? config.warnings : [...config.warnings, shortfall]
    if (command.strict && warnings.length > 0) {
      const n = warnings.length
      stderr(
        `deepflow-relay: ${file ?? 'the embedded default'} has ${n} warning${n === 1 ? '' : 's'}, and --strict makes them errors:\n${
          warnings.map((w) => `  ${w}`).join('\n')
        }`,
      )
      return EXIT_CONFIG
    }
    await runtime.writeStdout(renderEffectiveConfig(config, `memory budget: ${describeBudget(budget)}`))
    for (const w of warnings) stderr(`warning: ${w}`)
    return EXIT_OK
  }
  return run(runtime, config, overrides, budget, marks)
}

/**
 * SIGHUP: read the config file again; an invalid one is refused with its problems logged and the
 * running config stays; a valid one is applied to the exporters (relay.reload).
 */
export async function reloadConfig(runtime: Runtime, file: string | null, overrides: Overrides, relay: Relay, log: Logger): Promise<void> {
  if (file === null) {
    log.warn('SIGHUP: the relay runs on its embedded default; there is no config file to reload')
    return
  }
  let next: Config
  try {
    next = await loadConfig(runtime, file, overrides)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    log.error('config reload refused; the running config stays', { file, problems: err.problems.map(formatProblem) })
    return
  }
  try {
    const result = await relay.reload(next)
    log.info('config reloaded', { file, ...result })
    for (const w of next.warnings) log.warn(w)
    if (result.needRestart.length > 0) {
      log.warn('these relay settings changed but apply only at a restart', { settings: result.needRestart })
    }
  } catch (err) {
    log.error('config reload refused; the running config stays', { file, error: err })
  }
}

async function run(
  runtime: Runtime,
  config: Config,
  overrides: Overrides,
  budget: MemoryBudget,
  marks: Record<string, number>,
): Promise<number> {
  const log = createLogger({ write: runtime.writeStderr, now: systemClock.now, level: config.relay.logLevel })
  runtime.onWarning((w) => log.debug('runtime warning', { name: w.name, warning: w.message }))
  for (const w of config.warnings) log.warn(w)
  const shortfall = budgetShortfall(budget, config.exporters)
  if (shortfall !== null) log.warn(shortfall)
  await loadExportersFor(config.exporters)
  let relay
  try {
    relay = createRelay(config, {
      clock: systemClock,
      log,
      writeStdout: runtime.writeStdout,
      readTextFile: runtime.readTextFile,
      fileMtime: runtime.fileMtime,
      readZoneFile: runtime.readZoneFile,
      fetch: runtime.httpFetch,
      writeTextFileAtomic: runtime.writeTextFileAtomic,
      runtimeName: runtime.name,
      memory: {
        budget: budget.bytes,
        residentBytes: runtime.residentBytes,
        residentSetBytes: runtime.residentSetBytes,
        ...(runtime.heapBytes === undefined ? {} : { heapBytes: runtime.heapBytes }),
        ...(runtime.collectYoung === undefined ? {} : { collectYoung: runtime.collectYoung }),
        collectGarbage: runtime.collectGarbage,
        cpuCount: runtime.cpuCount,
      },
    })
    marks.relay = runtime.uptimeMs()
    await relay.start()
    marks.start = runtime.uptimeMs()
  } catch (err) {
    if (!(err instanceof StartError)) throw err
    log.error(err.message)
    return EXIT_FAILURE
  }

  const { host, port } = config.relay.listen
  let tls: { cert: string; key: string } | undefined
  if (config.relay.tls !== null) {
    try {
      tls = { cert: await runtime.readTextFile(config.relay.tls.certFile), key: await runtime.readTextFile(config.relay.tls.keyFile) }
    } catch (err) {
      log.error('cannot read relay.tls files', { error: err })
      await relay.stop()
      return EXIT_FAILURE
    }
  }
  let listener
  try {
    listener = runtime.serve({
      host,
      port,
      fetch: relay.app.fetch,
      idleTimeoutSeconds: config.relay.clientTimeout,
      ...(tls === undefined ? {} : { tls }),
    })
  } catch (err) {
    log.error('cannot listen', { host, port, error: err })
    await relay.stop()
    return EXIT_FAILURE
  }
  log.info('deepflow-relay started', {
    version: VERSION,
    runtime: runtime.name,
    url: listener.url,
    config: config.file ?? 'embedded default',
    exporters: config.exporters.map((e) => `${e.name} (${e.protocol})`),
    memory_budget_bytes: budget.bytes,
    memory_budget: describeBudget(budget),
    startup_ms: { ...marks, listen: runtime.uptimeMs() },
  })
  runtime.started?.()

  return new Promise<number>((resolve) => {
    let signals = 0
    const shutdown = (signal: string) => {
      signals++
      if (signals > 1) {
        log.warn('second signal: exiting now', { signal })
        resolve(EXIT_FAILURE)
        return
      }
      log.info('shutting down: flushing queues', { signal, timeout_s: config.relay.shutdownTimeout })
      void (async () => {
        await relay.stop()
        await listener.stop()
        const dropped = relay.exporters.map((e) => ({
          exporter: e.config.name,
          records: relay.metrics.dropped.get([e.config.name, 'shutdown']),
        }))
          .filter((d) => d.records > 0)
        if (dropped.length > 0) log.warn('records left unsent at shutdown (counted as dropped, reason shutdown)', { dropped })
        log.info('stopped')
        resolve(EXIT_OK)
      })()
    }
    runtime.onSignal('SIGTERM', () => shutdown('SIGTERM'))
    runtime.onSignal('SIGINT', () => shutdown('SIGINT'))
    runtime.onSignal('SIGHUP', () => {
      log.info('SIGHUP: reloading the config', { file: config.file })
      void reloadConfig(runtime, config.file, overrides, relay, log)
    })
  })
}
