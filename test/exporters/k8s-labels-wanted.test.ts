// Which k8s labels the ClickHouse names keep: the union of what the exporters write.
import test from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config-file/load.ts'
import { k8sLabelsWanted } from '../../src/exporters/k8s-labels-wanted.ts'

const wanted = (...fields: string[][]) =>
  k8sLabelsWanted(
    parseConfig(
      `exporters:\n${
        fields.map((f, i) =>
          `  - {protocol: ${i === 2 ? 'opentelemetry' : 'stdout'}, enabled: true, ${
            i === 2 ? 'endpoints: ["127.0.0.1:4317"], data-sources: [flow_log.l7_flow_log]' : 'data-sources: [flow_log.l7_flow_log]'
          }, export-fields: [${f.join(', ')}]}`
        ).join('\n')
      }\n`,
      'w.yaml',
    ).exporters,
  )

test('no exporter writes labels: none are read', () => {
  assert.equal(wanted(['$tag', '$metrics']), null)
})

test('the union of the names and patterns the exporters select', () => {
  const keep = wanted(['$tag', '$k8s.label.app'], ['~$k8s.label.^ver'])!
  assert.deepEqual(['app', 'version', 'team'].filter(keep), ['app', 'version'])
})

test('$k8s.label, or an opentelemetry exporter with $k8s.label, keeps every label', () => {
  assert.deepEqual(['app', 'team'].filter(wanted(['$k8s.label'])!), ['app', 'team'])
  assert.deepEqual(['app', 'team'].filter(wanted(['$tag'], ['$tag'], ['$tag', '$k8s.label'])!), ['app', 'team'])
  assert.equal(wanted(['$tag'], ['$tag'], ['$tag', '$metrics']), null)
})
