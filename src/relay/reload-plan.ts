// What a reload (SIGHUP) changes, decided from configs alone (pure; relay.ts applies it). Exporters
// are matched by name and compared by content, wherever they stand in the file:
//   kept      same name, same settings: keeps its queues and in-flight batches;
//   replaced  same name, other settings: a new one takes new records, the old one drains (one with
//             a durable buffer: the new one takes over the buffer once the old one drained, see
//             handoff-exporter.ts);
//   added     a name the running config does not have;
//   removed   a running name the next config does not have (it drains).
// A renamed exporter is one removed and one added. Lists follow the next config's order (removed:
// the running order). needRestart lists the relay settings (as written in the file: `listen`,
// `auth-token`, …) and `sources` that differ from the running ones: they apply only at a restart.
import type { ClickHouseSourceConfig, Config, ExporterConfig, RelaySettings } from '../config/types.ts'

export interface ReloadPlan {
  readonly kept: readonly string[]
  readonly replaced: readonly string[]
  readonly added: readonly string[]
  readonly removed: readonly string[]
  /** Relay settings that differ but only apply at a restart. */
  readonly needRestart: readonly string[]
}

/** What runs now: the exporters' configs, and the relay settings and sources it started with. */
export interface RunningConfig {
  readonly exporters: readonly ExporterConfig[]
  readonly relay: RelaySettings
  readonly sources: readonly ClickHouseSourceConfig[]
}

/** The relay settings a reload cannot apply (the others are read at start only, or not at all: log-level, shutdown-timeout). */
const RESTART_SETTINGS = [
  'listen',
  'tls',
  'authToken',
  'protectMetrics',
  'overflow',
  'limits',
  'maxBodyBytes',
  'timeZone',
  'clientTimeout',
  'universalTags',
] as const

/** Exporter configs compared as their content, whatever their position in the file. */
function sameExporter(a: ExporterConfig, b: ExporterConfig): boolean {
  return JSON.stringify({ ...a, index: 0 }) === JSON.stringify({ ...b, index: 0 })
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
const fileKey = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

export function planReload(running: RunningConfig, next: Pick<Config, 'exporters' | 'relay' | 'sources'>): ReloadPlan {
  const byName = new Map(running.exporters.map((e) => [e.name, e]))
  const kept: string[] = []
  const replaced: string[] = []
  const added: string[] = []
  for (const e of next.exporters) {
    const prior = byName.get(e.name)
    if (prior === undefined) added.push(e.name)
    else (sameExporter(prior, e) ? kept : replaced).push(e.name)
  }
  const nextNames = new Set(next.exporters.map((e) => e.name))
  const removed = running.exporters.map((e) => e.name).filter((name) => !nextNames.has(name))
  const needRestart = RESTART_SETTINGS.filter((k) => !same(running.relay[k], next.relay[k])).map(fileKey)
  if (!same(running.sources, next.sources)) needRestart.push('sources')
  return { kept, replaced, added, removed, needRestart }
}
