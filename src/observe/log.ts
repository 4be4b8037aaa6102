// JSON-lines logger on standard error (standard output belongs to the stdout exporter).
import type { LogLevel } from '../config/types.ts'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type LogFields = Readonly<Record<string, unknown>>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /**
   * Logs a warning at most once per `windowMs` for `key`; the next one says how many were
   * suppressed in between. For drops and rejections, which come in bursts.
   */
  warnOncePerBurst(key: string, msg: string, fields?: LogFields): void
  setLevel(level: LogLevel): void
}

export interface LoggerDeps {
  readonly write: (line: string) => void
  readonly now: () => number
  readonly level: LogLevel
  readonly windowMs?: number
}

export function createLogger(deps: LoggerDeps): Logger {
  let min = RANK[deps.level]
  const windowMs = deps.windowMs ?? 10_000
  const bursts = new Map<string, { until: number; suppressed: number }>()
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[level] < min) return
    const entry = { ts: new Date(deps.now()).toISOString(), level, msg, ...fields }
    let line: string
    try {
      line = JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v))
    } catch {
      line = JSON.stringify({ ts: entry.ts, level, msg })
    }
    deps.write(`${line}\n`)
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    warnOncePerBurst(key, msg, fields) {
      const now = deps.now()
      const burst = bursts.get(key)
      if (burst !== undefined && now < burst.until) {
        burst.suppressed++
        return
      }
      const suppressed = burst?.suppressed ?? 0
      bursts.set(key, { until: now + windowMs, suppressed: 0 })
      emit('warn', msg, suppressed > 0 ? { ...fields, suppressed_since_last: suppressed } : fields)
    },
    setLevel(level) {
      min = RANK[level]
    },
  }
}
