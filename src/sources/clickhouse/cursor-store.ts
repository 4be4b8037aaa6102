// The ClickHouse source's cursors, per data source, and their file (cursor-file): loaded at start
// (only the configured data sources; one the file has no position for starts at `since`, or at the
// start), saved after each page was queued. Saves run one after another; a failed save is logged, never thrown (a restart would then
// repeat rows).
import type { ClickHouseSourceConfig } from '../../config/types.ts'
import type { Logger } from '../../observe/log.ts'
import { type Cursors, parseCursorFile, renderCursorFile } from './cursor-file.ts'

export interface CursorStoreDeps {
  readonly config: Pick<ClickHouseSourceConfig, 'name' | 'cursorFile' | 'dataSources' | 'since'>
  readonly log: Logger
  readonly readTextFile: (path: string) => Promise<string>
  readonly writeTextFileAtomic: (path: string, text: string) => Promise<void>
}

export interface CursorStore {
  /** The live cursors (the poll loops move them). */
  readonly cursors: Cursors
  /**
   * Reads the file (throws when it exists but is not a cursor file); a data source it has no
   * position for starts at `since`, or at `now` (Unix seconds).
   */
  load(now: number): Promise<void>
  /** Writes the cursors as they are now (after the saves before it). */
  save(): Promise<void>
  /** Resolves once every save so far has finished. */
  settled(): Promise<void>
}

export function createCursorStore(deps: CursorStoreDeps): CursorStore {
  const { config, log } = deps
  const cursors: Cursors = new Map()
  let saving: Promise<void> = Promise.resolve()
  /** The file's cursors; undefined without a file (yet). */
  const readFile = async (): Promise<Cursors | undefined> => {
    const file = config.cursorFile
    if (file === null) return undefined
    let text: string
    try {
      text = await deps.readTextFile(file)
    } catch {
      return undefined // no file yet
    }
    const parsed = parseCursorFile(text)
    if (!parsed.ok) throw new Error(`sources: ${config.name}: cursor-file ${file}: ${parsed.error}`)
    return parsed.cursors
  }
  return {
    cursors,
    async load(now) {
      const saved = await readFile()
      for (const ds of config.dataSources) cursors.set(ds, saved?.get(ds) ?? { time: config.since ?? now, tie: null })
    },
    save() {
      const file = config.cursorFile
      if (file === null) return Promise.resolve()
      const text = renderCursorFile(cursors)
      saving = saving.then(() => deps.writeTextFileAtomic(file, text)).catch((err: unknown) => {
        log.error('cannot write the cursor file; a restart would repeat rows', { source: config.name, file, error: err })
      })
      return saving
    },
    settled: () => saving,
  }
}
