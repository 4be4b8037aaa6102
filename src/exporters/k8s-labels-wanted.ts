// Which k8s labels the exporters write (their export-fields select them): the ClickHouse names
// read pod_k8s_labels_map only when some exporter writes labels, and keep only those labels, as
// deepflow-server keeps only the labels its exporters export (isK8sLabelExport): a large cluster's
// labels are most of its dictionary.
import type { ExporterConfig } from '../config/types.ts'
import { K8S_LABEL, stringsToCategoryBits } from '../encode/otlp/categories.ts'
import { k8sLabelPredicate, parseExportFields } from '../export-fields/export-fields.ts'

const EVERY_LABEL = () => true

/** The labels some exporter writes (by name), or null when none writes any. */
export function k8sLabelsWanted(exporters: readonly ExporterConfig[]): ((name: string) => boolean) | null {
  const wanted: ((name: string) => boolean)[] = []
  for (const e of exporters) {
    const predicate = e.protocol === 'opentelemetry'
      ? ((stringsToCategoryBits(e.exportFields) & K8S_LABEL) !== 0 ? EVERY_LABEL : null)
      : k8sLabelPredicate(parseExportFields(e.exportFields).selection)
    if (predicate === EVERY_LABEL) return EVERY_LABEL
    if (predicate !== null) wanted.push(predicate)
  }
  if (wanted.length === 0) return null
  return wanted.length === 1 ? wanted[0]! : (name) => wanted.some((p) => p(name))
}
