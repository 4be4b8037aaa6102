// What the ClickHouse names cost in memory, per entry: a synthetic cluster's flow_tag maps
// (pod_map, device_map with a device per pod plus hosts and services, pod_group_map,
// pod_k8s_labels_map with LABELS labels per pod) as ClickHouse answers them (TabSeparated), read
// into the dictionary the exporters use (translate/flow-tag-maps.ts), with the heap measured after
// full collections before and after (the answers' texts are dropped as they are read, as a refresh
// drops them).
// Usage: bun scripts/bench/dictionary-memory.ts [--pods 300000] [--labels 5]
import { parseArgs } from 'node:util'
import {
  dictionaryOfMaps,
  entryCount,
  FLOW_TAG_MAPS,
  type LoadedMaps,
  type MapContent,
  readMap,
} from '../../src/translate/flow-tag-maps.ts'

const { values } = parseArgs({ options: { pods: { type: 'string', default: '300000' }, labels: { type: 'string', default: '5' } } })
const PODS = Number(values.pods)
const LABELS = Number(values.labels)

const gc = () => (globalThis as unknown as { Bun: { gc(full: boolean): void } }).Bun.gc(true)
const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

function answers(): Map<string, string> {
  const lines = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i + 1)).join('\n') + '\n'
  const groups = Math.ceil(PODS / 10)
  const services = Math.ceil(PODS / 50)
  const hosts = Math.ceil(PODS / 100)
  // Like a cluster's: app, version and team repeat across pods; pod-template-hash and the rest do not.
  const value = (i: number, k: number) =>
    k === 0 ? `app-${i % 1000}` : k === 1 ? `v${i % 3}` : k === 2 ? `team-${i % 20}` : `${k}-${(i * 2654435761 % 4294967296).toString(16)}`
  const labels = (i: number) =>
    JSON.stringify(Object.fromEntries(Array.from({ length: LABELS }, (_, k) => [`label-${k}.example.com/key`, value(i, k)])))
  return new Map([
    ['pod_map', lines(PODS, (i) => `${i}\tproductpage-v1-7f9c8d${i.toString(36)}-x${i % 97}`)],
    ['pod_group_map', lines(groups, (i) => `${i}\tworkload-${i}`)],
    [
      'device_map',
      lines(PODS, (i) => `10\t${i}\tproductpage-v1-7f9c8d${i.toString(36)}-x${i % 97}`) +
      lines(services, (i) => `102\t${i}\tservice-${i}`) +
      lines(hosts, (i) => `6\t${i}\thost-${i}`) +
      lines(groups, (i) => `130\t${i}\tworkload-${i}`),
    ],
    ['pod_k8s_labels_map', lines(PODS, (i) => `${i}\t${labels(i).replaceAll('\\', '\\\\')}`)],
  ])
}

const before = heap()
const texts = answers()
const textBytes = [...texts.values()].reduce((n, t) => n + t.length, 0)
const maps = new Map<string, MapContent>()
const started = performance.now()
for (const map of FLOW_TAG_MAPS) {
  const text = texts.get(map.table)
  if (text === undefined) continue
  // As a refresh reads them: one answer at a time, dropped once read.
  texts.delete(map.table)
  maps.set(map.kind, await readMap(map, text, { earlier: maps as LoadedMaps }))
}
const dictionary = dictionaryOfMaps(maps as LoadedMaps)
const loadMs = performance.now() - started
const after = heap()
const entries = entryCount(maps as LoadedMaps)
const bytes = after - before
const labelled = (maps.get('k8s_labels') as Extract<MapContent, { kind: 'labels' }>).labels.size
console.log(JSON.stringify({
  pods: PODS,
  labels_per_pod: LABELS,
  entries,
  heap_bytes: bytes,
  bytes_per_entry: Math.round(bytes / entries),
  bytes_per_pod: Math.round(bytes / PODS),
  labelled_pods: labelled,
  answer_bytes: textBytes,
  load_ms: Math.round(loadMs),
  check: dictionary.ids('pod').get(PODS) !== undefined,
}))
