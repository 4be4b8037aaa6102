// The data sources remote write carries (those with `prometheus` in the schema: flow_metrics), as
// the series → record step needs them: the normaliser, which `__name__` values are metrics, and
// which label names spell a metric field (and so are not tags).
import { DATA_SOURCES, dataSource } from '../deepflow/schema.ts'
import { compileNormalizer, type Normalizer } from '../record/normalize.ts'

export interface PrometheusSource {
  readonly normalize: Normalizer
  /** Metric field names: the only valid `__name__` values. */
  readonly metrics: ReadonlySet<string>
  /** Every spelling of a metric field: such labels are not tags, and are ignored as unknown. */
  readonly metricSpellings: ReadonlySet<string>
}

/** By data source name, in schema order. */
export function prometheusSources(): ReadonlyMap<string, PrometheusSource> {
  const sources = new Map<string, PrometheusSource>()
  for (const name of DATA_SOURCES) {
    const ds = dataSource(name)!
    if (!ds.prometheus) continue
    const metricFields = ds.fields.filter((f) => f.kind === 'metric')
    sources.set(name, {
      normalize: compileNormalizer(ds),
      metrics: new Set(metricFields.map((f) => f.name)),
      metricSpellings: new Set(
        metricFields.flatMap((f) => [f.name, f.filterName, ...(f.clickhouseColumn === null ? [] : [f.clickhouseColumn])]),
      ),
    })
  }
  return sources
}
