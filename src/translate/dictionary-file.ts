// The universal-tags dictionary file: read and validated at start, then watched (its modification
// time polled) and reloaded when it changes; an invalid new version is logged and the old one kept.
import type { Logger } from '../observe/log.ts'
import type { Clock } from '../util/clock.ts'
import { type DictionaryHolder, type DictionaryResult, parseDictionary } from './dictionary.ts'

export async function loadDictionary(path: string, readTextFile: (p: string) => Promise<string>): Promise<DictionaryResult> {
  let text: string
  try {
    text = await readTextFile(path)
  } catch (err) {
    return { ok: false, error: `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}` }
  }
  if (last?.path === path && last.text === text) return last.result
  const parsed = parseDictionary(text)
  const result: DictionaryResult = parsed.ok ? parsed : { ok: false, error: `${path}: ${parsed.error}` }
  last = { path, text, result }
  return result
}

/**
 * The last file read and what it gave: `check` and the start of the relay read the same file one
 * after the other, and validating it again would cost the start-up several milliseconds.
 */
let last: { readonly path: string; readonly text: string; readonly result: DictionaryResult } | undefined

export interface WatchDeps {
  readonly clock: Clock
  readonly log: Logger
  readonly readTextFile: (path: string) => Promise<string>
  readonly fileMtime: (path: string) => Promise<number | undefined>
  readonly pollMs: number
}

/** Polls until `signal` aborts, replacing `holder.current` when the file changed and is valid. */
export async function watchDictionary(
  path: string,
  since: number | undefined,
  holder: DictionaryHolder,
  deps: WatchDeps,
  signal: AbortSignal,
): Promise<void> {
  let mtime = since
  while (!signal.aborted) {
    await deps.clock.sleep(deps.pollMs, signal)
    if (signal.aborted) return
    const now = await deps.fileMtime(path)
    if (now === undefined || now === mtime) continue
    mtime = now
    const loaded = await loadDictionary(path, deps.readTextFile)
    if (loaded.ok) {
      holder.current = loaded.dictionary
      deps.log.info('universal-tags dictionary reloaded', { file: path })
    } else {
      deps.log.error('universal-tags dictionary not reloaded; keeping the previous one', { error: loaded.error })
    }
  }
}
