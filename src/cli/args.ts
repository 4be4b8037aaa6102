// Command line: `deepflow-relay [check] [--config FILE] [--listen HOST:PORT] [--log-level LEVEL]`,
// `deepflow-relay buffer inspect|repair --config FILE [--json]`.
import { parseArgs } from 'node:util'

export const USAGE = `deepflow-relay: exports DeepFlow records to Kafka (JSON) and Prometheus remote write

Usage:
  deepflow-relay [--config FILE] [--listen HOST:PORT] [--log-level LEVEL]
      Run the relay. Without a config it listens on 127.0.0.1:20480 with one stdout
      exporter for every data source (export-fields: [$tag, $metrics]).
  deepflow-relay check --config FILE [--strict]
      Validate FILE and print the effective exporters with every default filled in.
      Exit 0 when valid, 2 when not (every problem listed by YAML path and line);
      warnings go to stderr, and with --strict they fail the check too (exit 2).
  deepflow-relay buffer inspect --config FILE [--json]
      For each exporter with buffer: {type: disk}, queue by queue: the entries not
      yet delivered, bytes on disk, segments, the oldest entry's age and what is
      corrupt. Reads only: safe while the relay runs.
  deepflow-relay buffer repair --config FILE [--json]
      Stop the relay first. Removes torn and damaged entries, fills missing segments,
      resets a ledger that points nowhere, keeps every good entry; prints what it did.
      Both exit 0, 1 when a buffer cannot be read or repaired, 2 for an invalid config.
  deepflow-relay --help | --version

Options:
  --config FILE        YAML: a DeepFlow server.yaml (ingester.exporters) or a file with
                       top-level exporters: and relay: (env DEEPFLOW_RELAY_CONFIG)
  --listen HOST:PORT   address of the HTTP ingest (env DEEPFLOW_RELAY_LISTEN)
  --log-level LEVEL    debug, info, warn or error (logs are JSON lines on stderr)
  --json               buffer inspect|repair: one JSON document instead of a table

Ingest: POST /v1/records/{data-source} with a JSON object, a JSON array, or NDJSON (gzip ok).
Also: POST /api/v1/write (remote write in), GET /healthz, /readyz, /metrics.
`

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly config?: string; readonly listen?: string; readonly logLevel?: string }
  | { readonly kind: 'check'; readonly config?: string; readonly listen?: string; readonly logLevel?: string; readonly strict: boolean }
  | { readonly kind: 'buffer'; readonly action: 'inspect' | 'repair'; readonly config?: string; readonly json: boolean }
  | { readonly kind: 'usage-error'; readonly error: string }

export function parseCommand(args: readonly string[]): Command {
  let parsed
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        listen: { type: 'string' },
        'log-level': { type: 'string' },
        strict: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    })
  } catch (err) {
    return { kind: 'usage-error', error: err instanceof Error ? err.message : String(err) }
  }
  const { values, positionals } = parsed
  if (values.help) return { kind: 'help' }
  if (values.version) return { kind: 'version' }
  if (positionals[0] === 'buffer') return bufferCommand(positionals, values)
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'check')) {
    return {
      kind: 'usage-error',
      error: `unknown command ${JSON.stringify(positionals.join(' '))}; the commands are check, buffer inspect and buffer repair`,
    }
  }
  if (values.json === true) return { kind: 'usage-error', error: '--json is an option of buffer inspect and buffer repair' }
  const common = {
    ...(values.config === undefined ? {} : { config: values.config }),
    ...(values.listen === undefined ? {} : { listen: values.listen }),
    ...(values['log-level'] === undefined ? {} : { logLevel: values['log-level'] }),
  }
  if (positionals[0] === 'check') return { kind: 'check', ...common, strict: values.strict === true }
  if (values.strict === true) return { kind: 'usage-error', error: '--strict is an option of the check command' }
  return { kind: 'run', ...common }
}

/** `buffer inspect|repair`: --config and --json only. */
function bufferCommand(
  positionals: readonly string[],
  values: { config?: string; listen?: string; 'log-level'?: string; strict?: boolean; json?: boolean },
): Command {
  const action = positionals[1]
  if (positionals.length !== 2 || (action !== 'inspect' && action !== 'repair')) {
    return {
      kind: 'usage-error',
      error: `unknown command ${JSON.stringify(positionals.join(' '))}; expected buffer inspect or buffer repair`,
    }
  }
  const other = values.strict === true
    ? '--strict'
    : values.listen !== undefined
    ? '--listen'
    : values['log-level'] !== undefined
    ? '--log-level'
    : undefined
  if (other !== undefined) return { kind: 'usage-error', error: `${other} is not an option of buffer ${action}` }
  return { kind: 'buffer', action, ...(values.config === undefined ? {} : { config: values.config }), json: values.json === true }
}
