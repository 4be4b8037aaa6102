// Why the relay is not ready (GET /readyz answers 503 with it, the status page shows it), or null:
// starting; shutting down; an exporter whose every endpoint failed its last attempt; an exporter
// whose durable buffer cannot be written (a disk error); a source whose ClickHouse queries fail.
// Checked in that order.

export interface ReadinessState {
  readonly started: boolean
  readonly stopping: boolean
  readonly exporters: readonly {
    readonly config: { readonly name: string }
    healthy(): boolean
    buffer(): { readonly error: string | null } | null
  }[]
  readonly sources: readonly { readonly name: string; healthy(): boolean }[]
}

export function notReadyReason(state: ReadinessState): string | null {
  if (!state.started) return 'starting'
  if (state.stopping) return 'shutting down'
  const down = state.exporters.filter((e) => !e.healthy()).map((e) => e.config.name)
  if (down.length > 0) return `every endpoint failed its last attempt for exporter(s): ${down.join(', ')}`
  const unwritable = state.exporters.map((e) => [e.config.name, e.buffer()?.error] as const).filter(([, error]) =>
    typeof error === 'string'
  )
  if (unwritable.length > 0) {
    return `the durable buffer cannot be written for exporter(s): ${unwritable.map(([name, error]) => `${name} (${error})`).join(', ')}`
  }
  const failing = state.sources.filter((s) => !s.healthy()).map((s) => s.name)
  return failing.length === 0 ? null : `ClickHouse queries failing for source(s): ${failing.join(', ')}`
}
