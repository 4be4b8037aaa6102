// Whether an exporter writes k8s labels (its export-fields select some): the ClickHouse names read
// pod_k8s_labels_map only then, since a large cluster's labels are its dictionary's largest part.
import type { ExporterConfig } from '../config/types.ts'
import { K8S_LABEL, stringsToCategoryBits } from '../encode/otlp/categories.ts'
import { k8sLabelPredicate, parseExportFields } from '../export-fields/export-fields.ts'

export function wantsK8sLabels(exporter: ExporterConfig): boolean {
  return exporter.protocol === 'opentelemetry'
    ? (stringsToCategoryBits(exporter.exportFields) & K8S_LABEL) !== 0
    : k8sLabelPredicate(parseExportFields(exporter.exportFields).selection) !== null
}
