// The ClickHouse source's position, per data source, in `cursor-file`: written (atomically) only
// after a page's rows were queued, read at start.
import * as v from 'valibot'
import type { Cursor } from './query.ts'

const CursorFileSchema = v.object({
  version: v.literal(1),
  data_sources: v.record(
    v.string(),
    v.object({ time: v.pipe(v.number(), v.integer(), v.minValue(0)), tie: v.nullable(v.pipe(v.string(), v.regex(/^\d+$/))) }),
  ),
})

export type Cursors = Map<string, Cursor>

export function parseCursorFile(text: string): { ok: true; cursors: Cursors } | { ok: false; error: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    return { ok: false, error: `not JSON: ${err instanceof Error ? err.message : String(err)}` }
  }
  const r = v.safeParse(CursorFileSchema, json)
  if (!r.success) {
    return {
      ok: false,
      error: r.issues.map((i) => `${(i.path ?? []).map((p) => String(p.key)).join('.')}: ${i.message}`).join('; '),
    }
  }
  return { ok: true, cursors: new Map(Object.entries(r.output.data_sources)) }
}

export function renderCursorFile(cursors: Cursors): string {
  return `${JSON.stringify({ version: 1, data_sources: Object.fromEntries(cursors) }, null, 2)}\n`
}
