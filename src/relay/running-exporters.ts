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
import { handoffExporter } from './handoff-exporter.ts'
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
      /** Changed exporters with a durable buffer: built once their old self let go of its directory. */
      const handoffs: { readonly index: number; readonly e: ExporterConfig }[] = []
      for (const e of next) {
        const kept = plan.kept.includes(e.name) ? running.get(e.name) : undefined
        const old = running.get(e.name)
        if (kept === undefined && old !== undefined && (old.exporter.config.buffer.type === 'disk' || e.buffer.type === 'disk')) {
          // Its TLS files are read now, so that a reload that cannot apply is refused before anything changes.
          await loadExporterTls({ exporter: { config: e } as Exporter<Sized>, tls: { current: null } }, deps.readTextFile)
          handoffs.push({ index: nextBuilt.length, e })
          nextBuilt.push(old)
          continue
        }
        const b = kept ?? build(e)
        if (kept === undefined) await loadExporterTls(b, deps.readTextFile)
        nextBuilt.push(b)
      }
      const retired = built.filter((b) => !plan.kept.includes(b.exporter.config.name))
      const deadline = deps.deadline()
      const stopped = new Map(retired.map((b) => [b.exporter.config.name, b.exporter.stop(deadline)]))
      for (const { index, e } of handoffs) {
        const exporter = handoffExporter(e, stopped.get(e.name)!, async () => {
          const b = build(e)
          await loadExporterTls(b, deps.readTextFile)
          return b.exporter
        }, deps.context.log)
        nextBuilt[index] = { exporter, tls: { current: null } }
      }
      built = nextBuilt
      exporters = built.map((b) => b.exporter)
      draining.push(...stopped.values())
    },
    async stop() {
      const deadline = deps.deadline()
      await Promise.all([...exporters.map((e) => e.stop(deadline)), ...draining])
    },
  }
}
