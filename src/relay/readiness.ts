// Why the relay is not ready (GET /readyz answers 503 with it, the status page shows it), or null:
// starting; shutting down; an exporter whose every endpoint failed its last attempt; a source whose
// ClickHouse queries fail. Checked in that order.

export interface ReadinessState {
  readonly started: boolean
  readonly stopping: boolean
  readonly exporters: readonly { readonly config: { readonly name: string }; healthy(): boolean }[]
  readonly sources: readonly { readonly name: string; healthy(): boolean }[]
}

export function notReadyReason(state: ReadinessState): string | null {
  if (!state.started) return 'starting'
  if (state.stopping) return 'shutting down'
  const down = state.exporters.filter((e) => !e.healthy()).map((e) => e.config.name)
  if (down.length > 0) return `every endpoint failed its last attempt for exporter(s): ${down.join(', ')}`
  const failing = state.sources.filter((s) => !s.healthy()).map((s) => s.name)
  return failing.length === 0 ? null : `ClickHouse queries failing for source(s): ${failing.join(', ')}`
}
