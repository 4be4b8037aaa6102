// The pre-rendered Kafka JSON lines of a bench dataset (data.ts's kafka.jsonl) without ensureDataset's
// clean-up: data.ts names a dataset by a hash of the code that includes each file's absolute path, so
// every worktree gets its own name, and generating one removes every other dataset in .cache/bench —
// those other worktrees are using, when .cache/bench is shared between worktrees. Here: the dataset of this code if cached, else one of the same
// data source and sizes from another worktree (same generator, maybe another encoder revision), else
// the lines generated as data.ts generates them into .cache/kafka-clients/data/ (not swept).
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CACHE, datasetName, type DatasetSpec } from './data.ts'
import { dictionaryFrom, encodeRecords, exporterFromYaml } from '../../test/helpers/encode.ts'
import { l7Record, networkRecord, topology } from './records.ts'

/** data.ts's fixed second and export fields: the same lines as its kafka.jsonl. */
const BASE_TIME = 1_767_225_600
const EXPORT_FIELDS = 'export-fields: [$tag, $metrics]'

/** The path of a file holding the dataset's Kafka lines, one per line, and where it came from. */
export function kafkaLinesFile(spec: DatasetSpec, privateDir: string, log: (m: string) => void): string {
  const own = join(CACHE, datasetName(spec), 'kafka.jsonl')
  if (existsSync(join(CACHE, datasetName(spec), 'manifest.json'))) return own
  const prefix = `${spec.ds}-${spec.records}r-${spec.tagSets}t-`
  const other = existsSync(CACHE)
    ? readdirSync(CACHE).find((d) => d.startsWith(prefix) && !d.endsWith('.tmp') && existsSync(join(CACHE, d, 'manifest.json')))
    : undefined
  if (other !== undefined) {
    log(`using ${other}'s Kafka lines (cached by another worktree)`)
    return join(CACHE, other, 'kafka.jsonl')
  }
  const file = join(privateDir, `${prefix}kafka.jsonl`)
  if (existsSync(file)) return file
  log(`generating the Kafka lines of ${prefix.slice(0, -1)} …`)
  mkdirSync(privateDir, { recursive: true })
  const topo = topology(Math.max(8, Math.ceil(spec.tagSets / 4)))
  const dictionary = dictionaryFrom(topo.dictionary)
  const exporter = exporterFromYaml(`data-sources: [${spec.ds}]\n${EXPORT_FIELDS}`)
  const isMetrics = spec.ds.startsWith('flow_metrics.')
  const out: string[] = []
  for (let k0 = 0; k0 < spec.records; k0 += 2000) {
    const recs: Record<string, unknown>[] = []
    for (let k = k0; k < Math.min(spec.records, k0 + 2000); k++) {
      recs.push(isMetrics ? networkRecord(topo, k, spec.tagSets, BASE_TIME) : l7Record(topo, k, BASE_TIME))
    }
    for (const line of encodeRecords(exporter, spec.ds, recs, { dictionary })) {
      if (line === null) throw new Error(`${spec.ds}: a generated record was filtered out`)
      out.push(line)
    }
  }
  writeFileSync(`${file}.tmp`, out.join('\n') + '\n')
  renameSync(`${file}.tmp`, file)
  return file
}
