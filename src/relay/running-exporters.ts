// The exporters the relay runs, and how a reload swaps them. Built from the config's entries
// (exporters/build-exporter.ts; a build error is a StartError); their TLS files are read at start.
// apply(plan) builds what the plan adds or replaces and reads their TLS files before changing
// anything (a failure leaves the running set as it was), then swaps: kept exporters stay with their
// queues and in-flight batches, new ones take new records, and retired ones (replaced, removed)
// drain to their old endpoints until the deadline; stop() waits for them too.
import type { ExporterConfig } from '../config/types.ts'
import { type BuildContext, buildExporter, type BuiltExporter } from '../exporters/build-exporter.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import type { Sized } from '../pipeline/send-result.ts'
import { loadExporterTls } from './exporter-tls.ts'
import type { ReloadPlan } from './reload-plan.ts'
import { asStartError } from './start-error.ts'

export interface RunningExporters {
  /** The exporters taking new records. */
  current(): readonly Exporter<Sized>[]
  /** Reads the TLS files of the exporters built from the start config. */
  loadTls(): Promise<void>
  /** Swaps in the exporters of `next` as the plan says. */
  apply(plan: ReloadPlan, next: readonly ExporterConfig[]): Promise<void>
  /** Stops the current exporters and waits for the retired ones, flushing until the deadline. */
  stop(): Promise<void>
}

export interface RunningExportersDeps {
  readonly context: BuildContext
  readonly readTextFile: (path: string) => Promise<string>
  /** When draining exporters give up (now + relay.shutdown-timeout), in ms. */
  readonly deadline: () => number
}

export function createRunningExporters(configs: readonly ExporterConfig[], deps: RunningExportersDeps): RunningExporters {
  const build = (e: ExporterConfig): BuiltExporter => asStartError(() => buildExporter(e, deps.context))
  let built: BuiltExporter[] = configs.map(build)
  let exporters = built.map((b) => b.exporter)
  /** Exporters retired by a reload, still draining to their old endpoints. */
  const draining: Promise<void>[] = []

  return {
    current: () => exporters,
    async loadTls() {
      for (const b of built) await loadExporterTls(b, deps.readTextFile)
    },
    async apply(plan, next) {
      const running = new Map(built.map((b) => [b.exporter.config.name, b]))
      const nextBuilt: BuiltExporter[] = []
      for (const e of next) {
        const kept = plan.kept.includes(e.name) ? running.get(e.name) : undefined
        const b = kept ?? build(e)
        if (kept === undefined) await loadExporterTls(b, deps.readTextFile)
        nextBuilt.push(b)
      }
      const retired = built.filter((b) => !plan.kept.includes(b.exporter.config.name))
      built = nextBuilt
      exporters = built.map((b) => b.exporter)
      const deadline = deps.deadline()
      for (const b of retired) draining.push(b.exporter.stop(deadline))
    },
    async stop() {
      const deadline = deps.deadline()
      await Promise.all([...exporters.map((e) => e.stop(deadline)), ...draining])
    },
  }
}
