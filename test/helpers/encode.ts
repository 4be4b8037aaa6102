// Runs records through an exporter's per-data-source plan (normalise, filter, Kafka JSON line)
// without queues: what the stdout and Kafka exporters would emit for them.
import { parseConfig } from '../../src/config-file/load.ts'
import type { ExporterConfig } from '../../src/config/types.ts'
import { dataSource } from '../../src/deepflow/schema.ts'
import { createTimeFormatter } from '../../src/encode/time-str.ts'
import { compileJsonPlans } from '../../src/exporters/json-plan.ts'
import { compileNormalizer } from '../../src/record/normalize.ts'
import { type Dictionary, EMPTY_DICTIONARY, parseDictionary } from '../../src/translate/dictionary.ts'
import { readFileSync } from 'node:fs'

/** An exporter config from YAML lines of one `exporters:` entry (protocol stdout, enabled). */
export function exporterFromYaml(entryYaml: string): ExporterConfig {
  const indented = entryYaml.trim().split('\n').map((l) => `    ${l}`).join('\n')
  const config = parseConfig(`exporters:\n  - protocol: stdout\n    enabled: true\n${indented}\n`, 'test.yaml')
  const e = config.exporters[0]
  if (e === undefined) throw new Error('exporter not enabled')
  return e
}

export function dictionaryFrom(json: unknown): Dictionary {
  const d = parseDictionary(JSON.stringify(json))
  if (!d.ok) throw new Error(d.error)
  return d.dictionary
}

export interface EncodeOptions {
  readonly dictionary?: Dictionary
  readonly timeZone?: string
}

const readZone = (zone: string) => {
  try {
    return readFileSync(`/usr/share/zoneinfo/${zone}`)
  } catch {
    return undefined
  }
}

/**
 * The line each input record becomes: null when the exporter's filters drop it. Throws when a
 * record is invalid (tests of invalid input use compileNormalizer directly).
 */
export function encodeRecords(
  exporter: ExporterConfig,
  ds: string,
  inputs: readonly unknown[],
  opts: EncodeOptions = {},
): (string | null)[] {
  const spec = dataSource(ds)
  if (spec === undefined) throw new Error(`unknown data source ${ds}`)
  const normalize = compileNormalizer(spec)
  const plans = compileJsonPlans(exporter, {
    dictionary: { current: opts.dictionary ?? EMPTY_DICTIONARY },
    formatTime: createTimeFormatter(opts.timeZone ?? 'UTC', readZone),
  })
  const plan = plans.get(ds)
  if (plan === undefined) throw new Error(`exporter does not take ${ds}`)
  return inputs.map((input) => {
    const r = normalize(input)
    if (!r.ok) throw new Error(`invalid record: ${r.field ?? ''} ${r.error}`)
    if (plan.filter !== null && !plan.filter(r.record.values)) return null
    return new TextDecoder().decode(plan.encode(r.record).item.line)
  })
}

/** Shorthand: one record through an exporter given as YAML. */
export function encodeOne(entryYaml: string, ds: string, input: unknown, opts: EncodeOptions = {}): string | null {
  return encodeRecords(exporterFromYaml(`data-sources: [${ds}]\n${entryYaml}`), ds, [input], opts)[0]!
}
