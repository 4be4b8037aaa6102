// Shared by the config tests: the problems of a config that parseConfig rejects, and the YAML of
// the exporter lists the tests are built from (the entries they repeat, written once).
import assert from 'node:assert/strict'
import { type Overrides, parseConfig } from '../../src/config-file/load.ts'
import { ConfigError, type ConfigProblem, formatProblem } from '../../src/config-file/problems.ts'

/** The problems of the ConfigError parseConfig throws for `text`; fails the test if it accepts it. */
export function problemsOf(text: string, overrides: Overrides = {}): readonly ConfigProblem[] {
  try {
    parseConfig(text, 'x.yaml', overrides)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  assert.fail('expected a ConfigError')
}

/** problemsOf, each rendered by formatProblem: `path: message (line N)`. */
export const formatted = (text: string, overrides: Overrides = {}): string[] => problemsOf(text, overrides).map(formatProblem)

/**
 * An exporter list: `exporters:` (or `ingester:` / `  exporters:` for a server.yaml) with one list
 * item per entry. An entry is its YAML lines without the list's indentation, nested lines indented
 * relative to the entry; the first line gets the `- `.
 */
export function exportersYaml(entries: readonly string[], { ingester = false } = {}): string {
  const pad = ingester ? '  ' : ''
  const items = entries.map((entry) => entry.split('\n').map((line, i) => `${pad}${i === 0 ? '  - ' : '    '}${line}\n`).join(''))
  return `${ingester ? 'ingester:\n  exporters:\n' : 'exporters:\n'}${items.join('')}`
}

/** A valid stdout exporter entry for exportersYaml: flow_log.l7_flow_log, export-fields [$tag]. */
export const STDOUT = 'protocol: stdout\nenabled: true\ndata-sources: [flow_log.l7_flow_log]\nexport-fields: [$tag]'

/** A valid kafka exporter entry for exportersYaml, with `export-fields` and then the `extra` lines. */
export const kafkaEntry = (extra = '', exportFields = '[$tag]') =>
  `protocol: kafka\nenabled: true\nendpoints: [k:9092]\ndata-sources: [flow_log.l7_flow_log]\nexport-fields: ${exportFields}${
    extra && `\n${extra}`
  }`

/** A relay-format file with one valid kafka exporter (kafkaEntry). */
export const kafka = (extra = '', exportFields = '[$tag]') => exportersYaml([kafkaEntry(extra, exportFields)])
