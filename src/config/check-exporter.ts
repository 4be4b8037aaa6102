// Checks of one exporter that need DeepFlow's facts: data sources, field names in filters and
// export-fields, regular expressions, and protocol rules. DeepFlow ignores most of these mistakes
// at run time; the relay refuses them at load time, naming the path.
import { DATA_SOURCES, dataSource, type DataSourceSpec } from '../deepflow/schema.ts'
import { bindFilterField } from '../filter/compile-filter.ts'
import { compileGoRegexp, wildcardToGoRegexp } from '../filter/go-regexp.ts'
import { fieldSpellings, parseExportFields } from '../project/export-fields.ts'
import { SUGGESTED_EXPORT_FIELDS } from './defaults.ts'
import { closest, type ConfigPath, type ConfigProblem } from './problems.ts'
import type { ExporterConfig, TagFilter } from './types.ts'
import { RESERVED_HEADERS } from '../exporters/remote-write/sender.ts'

function where(base: ConfigPath): string {
  return base.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '')
}

export function checkExporter(e: ExporterConfig, base: ConfigPath, warnings: string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const at = (...rel: (string | number)[]): ConfigPath => [...base, ...rel]

  const sources: DataSourceSpec[] = []
  if (e.dataSources.length === 0) {
    problems.push({ path: at('data-sources'), message: `at least one data source is required; valid: ${DATA_SOURCES.join(', ')}` })
  }
  e.dataSources.forEach((name, i) => {
    const ds = dataSource(name)
    if (ds === undefined) {
      const guess = closest(name, DATA_SOURCES)
      problems.push({
        path: at('data-sources', i),
        message: `unknown data source ${JSON.stringify(name)}${guess ? `; did you mean "${guess}"?` : ''} (valid: ${DATA_SOURCES.join(', ')})`,
      })
    } else if (!sources.includes(ds)) {
      sources.push(ds)
    }
  })

  if (e.protocol === 'stdout') {
    if (e.endpoints.length > 0) warnings.push(`${where(at('endpoints'))}: not used by the stdout exporter`)
  } else if (e.endpoints.length === 0) {
    problems.push({ path: at('endpoints'), message: `at least one endpoint is required for protocol ${e.protocol}` })
  }
  if (e.protocol !== 'kafka' && e.sasl !== null) warnings.push(`${where(at('sasl'))}: only used by the kafka exporter`)
  if (e.protocol === 'kafka' && e.endpoints.some((b) => !/^[^\s:/]+:\d{1,5}$/.test(b))) {
    e.endpoints.forEach((b, i) => {
      if (!/^[^\s:/]+:\d{1,5}$/.test(b)) problems.push({ path: at('endpoints', i), message: `expected a Kafka broker address HOST:PORT, got ${JSON.stringify(b)}` })
    })
  }
  if (e.protocol !== 'kafka' && e.topic !== null) warnings.push(`${where(at('topic'))}: only used by the kafka exporter`)
  if (e.protocol !== 'prometheus' && Object.keys(e.extraHeaders).length > 0) {
    warnings.push(`${where(at('extra-headers'))}: only used by the prometheus exporter`)
  }
  if (e.protocol === 'prometheus') {
    e.endpoints.forEach((endpoint, i) => {
      let url: URL | undefined
      try {
        url = new URL(endpoint)
      } catch {}
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        problems.push({ path: at('endpoints', i), message: `expected an http:// or https:// remote-write URL, got ${JSON.stringify(endpoint)}` })
      } else if (e.tls !== null && url.protocol === 'http:') {
        warnings.push(`${where(at('endpoints', i))}: tls settings do not apply to a plain http:// endpoint`)
      }
    })
    for (const header of Object.keys(e.extraHeaders)) {
      if (RESERVED_HEADERS.includes(header.toLowerCase())) {
        warnings.push(`${where(at('extra-headers', header))}: cannot override a remote-write header; ignored`)
      }
    }
    e.dataSources.forEach((name, i) => {
      const ds = dataSource(name)
      if (ds !== undefined && !ds.prometheus) {
        problems.push({ path: at('data-sources', i), message: `${name} cannot be sent as remote write; the prometheus exporter takes flow_metrics.* data sources only` })
      }
    })
  }

  if (e.exportFields.length === 0) {
    problems.push({
      path: at('export-fields'),
      message: `missing or empty; list what to export, e.g. export-fields: [${SUGGESTED_EXPORT_FIELDS.join(', ')}] (DeepFlow's default list exports metrics only, Q4)`,
    })
  }
  const { problems: fieldProblems } = parseExportFields(e.exportFields)
  for (const p of fieldProblems) problems.push({ path: at('export-fields', p.index), message: p.message })
  e.exportFields.forEach((entry, i) => {
    if (e.protocol === 'prometheus' && entry.replace(/^~/, '').startsWith('$k8s.label')) {
      problems.push({ path: at('export-fields', i), message: 'k8s labels cannot be sent as remote-write labels; remove it (DeepFlow drops them too)' })
    }
    if (entry.startsWith('$') || entry.startsWith('~') || entry.trim() === '' || sources.length === 0) return
    const known = sources.some((ds) => ds.fields.some((f) => fieldSpellings(f).includes(entry)))
    if (!known) {
      const all = new Set(sources.flatMap((ds) => ds.fields.map((f) => f.name)))
      const guess = closest(entry, all)
      problems.push({
        path: at('export-fields', i),
        message: `unknown field ${JSON.stringify(entry)} in ${e.dataSources.join(', ')}${guess ? `; did you mean "${guess}"?` : ''}`,
      })
    }
  })

  const checkFilters = (filters: readonly TagFilter[], rel: (string | number)[]) => {
    filters.forEach((f, i) => {
      const path = [...rel, i]
      if (sources.length > 0 && !sources.some((ds) => bindFilterField(ds, f.fieldName) !== undefined)) {
        const all = new Set(sources.flatMap((ds) => ds.fields.map((x) => x.filterName)))
        const guess = closest(f.fieldName, all)
        problems.push({
          path: at(...path, 'field-name'),
          message: `unknown field ${JSON.stringify(f.fieldName)} in ${e.dataSources.join(', ')}${guess ? `; did you mean "${guess}"?` : ''}`,
        })
      }
      const isRegex = f.operator === '~' || f.operator === '!~'
      const isWildcard = f.operator === ':' || f.operator === '!:'
      if (!isRegex && !isWildcard) return
      f.fieldValues.forEach((value, j) => {
        const compiled = compileGoRegexp(isWildcard ? wildcardToGoRegexp(value) : value)
        if (!compiled.ok) problems.push({ path: at(...path, 'field-values', j), message: compiled.error })
      })
      if (f.fieldValues.length > 1) {
        warnings.push(`${where(at(...path, 'field-values'))}: operator "${f.operator}" uses only the first value, as DeepFlow does`)
      }
    })
  }
  checkFilters(e.tagFilters, ['tag-filters'])
  e.tagFiltersGroups.forEach((g, i) => checkFilters(g.filters, ['tag-filters-groups', i, 'tag-filters']))
  if (e.tagFilters.length > 0) {
    warnings.push(`${where(at('tag-filters'))}: deprecated in DeepFlow; where these filters apply to a data source, tag-filters-groups are ignored for it`)
  }
  return problems
}
