// The whole benchmark report (printed, and written to BENCHMARKS.md by a full run): a verdict on
// how quiet the machine was, how to run, machine and versions, inputs, the exact commands,
// comparisons, curves, and every raw figure.
import type { Dataset } from './data.ts'
import { kcatArgs, vmagentArgs } from './contenders.ts'
import { KAFKA_PEERS, type KafkaWorkload, relayKafkaConfig } from './kafka-path.ts'
import { cpuPerMillion, type Measurement, rate } from './measure.ts'
import {
  comparison,
  type CurveRow,
  curveTable,
  datasetLine,
  fmt,
  machine,
  median,
  rawTable,
  roundRatios,
  table,
  versions,
} from './report.ts'
import { relayRwConfig, type RwCase } from './rw-path.ts'
import { rwCommands, rwComparison, rwSetup, rwTargetRows, vmCommands, vmLegSection, vmRelayYaml } from './rw-report.ts'
import type { VmLeg } from './vm-leg.ts'
import { relayCurveConfig } from './curves.ts'
import { OTLP_PATH, relayOtlpConfig } from './otlp-path.ts'
import { SARAMA_BATCH, SARAMA_QUEUES, saramaArgs, saramaVersion } from './sarama.ts'

export interface Results {
  smoke: boolean
  startedAt: string
  cfg: {
    rounds: number
    curveRounds: number
    perRequest: number
    concurrency: number
    curveConcurrency: number
    curveSeconds: number
    rwRecords: number
    kafkaRecords: number
    kafkaL7Records: number
    l7Records: number
    tagSets: number
    check: boolean
  }
  cores: { contender: string; rest: string }
  datasets: Dataset[]
  /** Remote write to the counting receiver, every case (Measurement.path names it: rw-path.ts casePath). */
  rw: Measurement[]
  rwCases: RwCase[]
  /** The VictoriaMetrics leg, when it ran. */
  rwVm: VmLeg | null
  kafka: KafkaWorkload[]
  /** The OTLP path (the relay alone: no peer is installable here). */
  otlp: Measurement[]
  /** The durable buffer's legs (durable.ts), as markdown; null when they did not run. */
  durable: string | null
  curves: { name: string; first: string; rows: CurveRow[] }[]
  checks: string[]
  background: { busyBefore: number; loadBefore: number; loadAfter: number }
  wallS: number
  bin: string
}

/** CPU share of core 0 that was not the contender's: other processes there. */
const otherOnCore0 = (m: Measurement) => Math.max(0, m.busy.contender - m.cpuS / m.wallS)

function verdict(r: Results): string {
  const all = [
    ...r.rw,
    ...(r.rwVm?.runs ?? []),
    ...r.kafka.flatMap((w) => w.ms),
    ...new Set(r.curves.flatMap((c) => c.rows.flatMap((x) => x.all))),
  ]
  const others = median(all.map((m) => m.others))
  const worst = Math.max(...all.map((m) => m.others))
  const core0 = median(all.map(otherOnCore0))
  const facts =
    `While the contenders ran, processes outside the benchmark used a median ${fmt(others, 2)} cores (worst ${
      fmt(worst, 2)
    }) of the ${machine().nproc}: ` +
    `${fmt(Math.min(others, core0), 2)} on the contenders' core 0 and ${
      fmt(Math.max(0, others - core0), 2)
    } on core 1, where the load generator, the receiver and the broker run ` +
    `(before the run, ${
      fmt(r.background.busyBefore * 100)
    }% of all cores were busy; load average ${r.background.loadBefore} before, ${r.background.loadAfter} after).`
  if (others > 0.1 || worst > 0.3) {
    return `> **Warning: these figures are distorted by other load on the machine.** ${facts} ` +
      "Load on core 1 slows the harness side (load generator, receiver, broker), which caps the faster contender first, so the peers' figures are understated and the relay/peer ratios flatter the relay; load on core 0 slows the contenders themselves. " +
      'Ratios within a round are the most robust figures here; re-run on a quiet machine before quoting absolute numbers.'
  }
  return `> The machine was quiet: ${facts}`
}

/** The relay's default queue-max-bytes (64 MiB), in MB: issue 8 bounds peak RSS by it plus 100 MB. */
const QUEUE_BOUND_MB = (64 * 1024 * 1024) / 1e6

/** Issue 8's targets against this run's figures. */
function targets(r: Results): string {
  const relay = [...r.rw, ...r.kafka.flatMap((w) => w.ms)].filter((m) => m.contender === 'relay')
  const rows: [string, string, string, boolean | null][] = []
  rows.push(...rwTargetRows(r))
  for (const w of r.kafka) {
    const x = median(roundRatios(w.ms, 'kcat', (m) => rate(m, 'records')))
    rows.push([`Kafka: relay messages/s ÷ kcat's, ${w.ds}`, '≥ 0.5', fmt(x, 3), x >= 0.5])
  }
  // Informative: DeepFlow's own client with DeepFlow's settings; the issue sets no bar against it.
  for (const w of r.kafka) {
    const x = median(roundRatios(w.ms, 'sarama', (m) => rate(m, 'records')))
    rows.push([`Kafka: relay messages/s ÷ sarama's, ${w.ds} (informative: DeepFlow's own client)`, '–', fmt(x, 3), null])
  }
  // The relay's own pipeline (parse, validate, translate, render, write): the stdout exporter's CPU
  // per record at 100 records per request, median over the curve's runs.
  const stdout100 = r.curves.find((c) => c.name.startsWith('records per request, stdout'))?.rows.find((x) => x.label === '100')
  if (stdout100 !== undefined) {
    const x = median(stdout100.all.map(cpuPerMillion))
    rows.push(["the relay's own pipeline, stdout exporter: CPU µs per record (100 records per request)", '≤ 20', fmt(x, 1), x <= 20])
  }
  if (relay.length > 0) {
    const idle = median(relay.flatMap((m) => (m.idleRssMb === null ? [] : [m.idleRssMb])))
    const ready = median(relay.flatMap((m) => (m.startupMs === null ? [] : [m.startupMs])))
    const peak = Math.max(...relay.map((m) => m.peakRssMb))
    rows.push(['idle RSS, MB (median)', '≤ 50', fmt(idle, 1), idle <= 50])
    rows.push(['exec → 200 on /readyz, ms (median)', '≤ 30', fmt(ready), ready <= 30])
    rows.push([
      `peak RSS under saturation, MB (worst of the comparisons)`,
      `≤ ${fmt(QUEUE_BOUND_MB + 100)} (queue-max-bytes + 100 MB)`,
      fmt(peak, 1),
      peak <= QUEUE_BOUND_MB + 100,
    ])
  }
  return table(
    ['target', 'wanted', 'this run', 'met'],
    rows.map(([what, want, got, met]) => [what, want, got, met === null ? '–' : met ? 'yes' : '**no**']),
  )
}

export function renderReport(r: Results, kafkaVersion: string): string {
  const rwData = r.datasets.find((d) => d.ds === 'flow_metrics.network.1s' && d.records === r.cfg.rwRecords)
  const kData = r.datasets.find((d) => d.ds === 'flow_metrics.network.1s' && d.records === r.cfg.kafkaRecords)
  const ex = rwData ?? kData ?? r.datasets[0]
  const out: string[] = []
  out.push(`# Benchmarks${r.smoke ? ' (smoke run: tiny inputs, not a measurement)' : ''}`, '')
  out.push(verdict(r), '')
  out.push(
    `Run ${r.startedAt}, ${fmt(r.wallS)} s in all, with \`npm run bench\` (\`bun scripts/bench/run.ts\`; \`--smoke\` for CI). ` +
      `Each path alternates its contenders over ${r.cfg.rounds} round(s) (odd rounds relay first, even rounds the peers first, in reverse order), every contender started fresh per measurement.`,
    '',
  )

  out.push('## Machine and versions', '')
  const sarama = r.kafka.length > 0 ? { sarama: saramaVersion() } : {}
  out.push(table(['', ''], Object.entries({ ...machine(), ...versions(r.bin, kafkaVersion), ...sarama }).map(([k, v]) => [k, v])), '')

  out.push('## Setup', '')
  out.push(
    `- Contenders run pinned to core ${r.cores.contender} (\`taskset -c ${r.cores.contender}\`); the load generator, the counting receiver, the Kafka broker and the runner share core ${r.cores.rest}.`,
    `- Inputs, generated once from \`src/deepflow/facts/schema.json\` into \`.cache/bench/\` (every field of the data source, realistic values, pod/service/node names from a universal-tags dictionary the relay is given):`,
  )
  for (const d of r.datasets) out.push(`  - ${datasetLine(d)}`)
  out.push(
    `- The relay is posted NDJSON (remote write: records per request as in each case below; Kafka: ${r.cfg.perRequest}), from ${r.cfg.concurrency} keep-alive connection(s); a 429 is retried after 10 ms, doubling per refusal up to its Retry-After (1 s). When the queues are full as a request arrives, it is refused before its body is read; when they fill while it is staged, its encoding stops at the first record that no longer fits (the rest is only parsed and counted); the remote-write queue (\`queue-max-bytes\` 64 MiB) holds about 10 000 of these records once encoded (each record's series are kept as one snappy fragment, ~6.5 KB). vmagent is posted the same records as Influx line protocol (one line per record: the tags exactly as the relay labels them, translated, \`datasource\` included; every metric field), same batching. kcat and sarama-producer read the Kafka JSON lines the project's encoder renders for the same records.`,
    ...rwSetup(r),
    '- Remote write: samples/s = samples the receiver counted / time from the first posted body to the arrival of the last sample. Kafka (one workload per data source, each its own table): messages/s = messages the broker holds (end offsets, `kcat -Q`) / time from the first posted body (relay: until its /metrics, polled every 20 ms, counts them sent) or from exec (kcat, sarama-producer: until they exit, all acknowledged); MB/s counts message values.',
    '- CPU s per M records: utime+stime of the contender (`/proc/<pid>/stat`; kcat, sarama-producer: read every 5 ms while it runs) over the measurement, per million records. Peak RSS: VmHWM at the end, in MB (10^6 bytes; /proc gives KiB) (kcat, sarama-producer: its last reading). Idle RSS: VmRSS 1 s after ready. Ready: exec → first 200 on `/readyz` (vmagent: `/health`).',
    "- Both remote-write contenders keep their defaults: the relay 4 queues, 1024 series per request, flush-timeout 1 s; vmagent `-remoteWrite.queues` 2 × available CPUs, at most 10 000 samples (`-remoteWrite.maxRowsPerBlock`) per request, partial blocks flushed every 1 s. Both therefore end a run with up to 1 s of tail; the inputs are sized so that the faster contender still runs for several seconds. Kafka: the relay's defaults (acks=all, snappy, 1024 records per produce, 4 queues, one produce in flight per queue); kcat `acks=all`, snappy, `batch.num.messages=1024`, `linger.ms=5`.",
    `- sarama-producer (scripts/bench/sarama-producer/main.go, built with Debian's Go and sarama) produces the lines as DeepFlow's ingester kafka exporter does (server/ingester/exporters/kafka_exporter/exporter.go): ${SARAMA_QUEUES} queue goroutines (queue-count), each with its own \`SyncProducer\` created on its first batch, batches of ${SARAMA_BATCH} messages (batch-size) dealt to the queues round-robin and sent with \`SendMessages\`; DeepFlow's settings on \`sarama.NewConfig()\`: \`RequiredAcks = WaitForAll\`, \`Retry.Max = 3\`, \`Return.Successes\`, snappy, nil key (the default hash partitioner then picks a random partition), ClientID \`sarama\`, and \`Version = V2_1_0_0\` (the default of IBM/sarama v1.46.0, which DeepFlow pins; Debian's older sarama would default to 0.8.2). Debian's sarama is older than DeepFlow's (versions table): it sends the record batches as Produce v3 where v1.46.0 would use v7. Like kcat it reads the file as it sends (at most 2 batches waiting per queue).`,
    '- The counting receiver inflates each body with scripts/bench/snappy-decode.ts (about 3× faster than snappyjs) and counts series and samples by walking the protobuf wire format; snappyjs plus a full protobufjs decode (`decodeWriteRequest`) cost about 40 ms per 1 000 of these series and made the receiver, not vmagent, the bottleneck. `--check` (always on with `--smoke`) also inflates every body with src/util/snappy.ts and decodes it with `decodeWriteRequest`, requires both to agree, and compares a digest of all samples (labels, timestamps, values) between the contenders; for Kafka it reads the topic of every contender back (`kcat -C` into a file) and compares its values, byte for byte as a multiset, with the pre-rendered lines.',
    '',
  )
  if (r.checks.length > 0) out.push('Checks of this run:', '', ...r.checks.map((c) => `- ${c}`), '')

  out.push('### Exact commands', '', '```sh')
  out.push(
    '# counting receiver and load generator (core 1)',
    `taskset -c ${r.cores.rest} bun scripts/bench/receiver.ts --port 0${r.cfg.check ? ' --check' : ''}`,
    `taskset -c ${r.cores.rest} bun scripts/bench/otlp-receiver.ts${r.cfg.check ? ' --check' : ''}   # OTLP`,
    ...rwCommands(r),
    `taskset -c ${r.cores.rest} bun scripts/bench/loadgen.ts --url http://127.0.0.1:<relay>/v1/records/<data source> --file records.ndjson --per-request <n> --concurrency ${r.cfg.curveConcurrency} --duration ${r.cfg.curveSeconds}   # curves`,
    '# contenders (core 0)',
    `taskset -c ${r.cores.contender} dist/deepflow-relay --config relay.yaml --listen 127.0.0.1:<port> --log-level warn`,
    `taskset -c ${r.cores.contender} vmagent ${
      vmagentArgs('<port>', 'http://127.0.0.1:<receiver>/api/v1/write', '<tmp>/vmagent-data').join(' ')
    }`,
    `taskset -c ${r.cores.contender} kcat ${kcatArgs('127.0.0.1:<broker>', '<topic>', 'kafka.jsonl').join(' ')}`,
    `taskset -c ${r.cores.contender} sarama-producer ${saramaArgs('127.0.0.1:<broker>', '<topic>', 'kafka.jsonl').join(' ')}`,
    '# sarama-producer, built once into .cache/sarama-producer/<hash of main.go, Go version, sarama version>/:',
    '(cd scripts/bench/sarama-producer && GO111MODULE=off GOPATH=/usr/share/gocode go build -o sarama-producer .)',
    ...vmCommands(r),
    '```',
    '',
  )
  if (ex !== undefined) {
    out.push(
      'relay.yaml, remote write:',
      '',
      '```yaml',
      relayRwConfig(ex, 'http://127.0.0.1:<receiver>/api/v1/write').trimEnd(),
      '```',
      '',
      'relay.yaml, remote write into VictoriaMetrics with `batch-size: 10000` (without that line: the default-batch-size contender):',
      '',
      '```yaml',
      vmRelayYaml(ex),
      '```',
      '',
      'relay.yaml, Kafka:',
      '',
      '```yaml',
      relayKafkaConfig(ex, '127.0.0.1:<broker>', '<topic>').trimEnd(),
      '```',
      '',
      'relay.yaml, OTLP (to the counting OTLP/gRPC receiver):',
      '',
      '```yaml',
      relayOtlpConfig(ex, '127.0.0.1:<receiver>').trimEnd(),
      '```',
      '',
      'relay.yaml, curves (n stdout exporters, standard output to /dev/null; or n prometheus exporters to the receiver):',
      '',
      '```yaml',
      relayCurveConfig(ex, 2, 'stdout').trimEnd(),
      '```',
      '',
    )
  }

  if (r.rw.length > 0) {
    out.push('## Remote write: deepflow-relay vs vmagent, to the counting receiver', '', rwComparison(r), '')
  }
  if (r.rwVm !== null) {
    out.push(
      `## Remote write into VictoriaMetrics at ${fmt(r.rwVm.rate)} records/s: samples per CPU-second`,
      '',
      `\`${r.rwVm.ds}\`, ${r.rwVm.perRequest} records per request, ${fmt(r.rwVm.records)} records (${
        fmt(r.rwVm.samples)
      } samples) per run; the pace: ${r.rwVm.rateBasis}.`,
      '',
      vmLegSection(r.rwVm),
      '',
    )
  }
  for (const w of r.kafka) {
    out.push(
      `## Kafka, ${w.ds}: deepflow-relay vs kcat -P and sarama (DeepFlow's client)`,
      '',
      comparison(w.ms, KAFKA_PEERS, 'records', ['mb'], { records: 'messages/s', mb: 'MB/s of values' }),
      '',
      'kcat and sarama-producer only produce pre-rendered lines; the relay also parses, validates, translates and renders them.',
      '',
    )
  }
  if (r.otlp.length > 0) out.push(...otlpSection(r.otlp))
  if (r.durable !== null) {
    out.push(
      '## Durable buffer (issue 18): `buffer: {type: disk}` vs `{type: memory}`, same run',
      '',
      'The relay alone, three variants of one exporter, fed network.1s NDJSON (100 records per request, 1 client): memory, disk with `sync-interval: 0.5`, disk with `sync-interval: 0` (an fsync before each 202). Target: disk at 0.5 s ≥ 0.8 × memory. Bytes written per record: what the relay made the kernel write to storage (`/proc/<pid>/io` write_bytes: entries, ledgers, page rewrites), per record (`scripts/bench/durable.ts`).',
      '',
      r.durable,
      '',
    )
  }
  if (r.rw.length > 0 || r.rwVm !== null || r.kafka.length > 0) {
    out.push(
      '## Targets (issues 8, 14, 15)',
      '',
      targets(r),
      '',
      'The 10-minute soak (`bun scripts/bench/soak.ts`) is a separate run; see the README.',
      '',
    )
  }
  if (r.curves.length > 0) {
    out.push(
      `## Growth curves of the relay (${r.cfg.curveSeconds} s of load per run from ${r.cfg.curveConcurrency} connections; ${r.cfg.curveRounds} run(s) per point, round-robin; the run with the median rate is shown)`,
      '',
    )
    for (const c of r.curves) out.push(`### ${c.name[0]!.toUpperCase()}${c.name.slice(1)}`, '', curveTable(c.first, c.rows), '')
  }
  const raw = [
    ...r.rw,
    ...(r.rwVm?.runs ?? []),
    ...r.kafka.flatMap((w) => w.ms),
    ...r.otlp,
    ...[...new Set(r.curves.flatMap((c) => c.rows.flatMap((x) => x.all)))].sort((a, b) => a.round - b.round),
  ]
  out.push(
    '## Raw figures, every measurement',
    '',
    rawTable(raw),
    '',
    '"receiver busy" is the counting receiver\'s CPU share of its core; "core 0 busy" is everything on the contender\'s core (the contender and anything else); "core 1 busy" the load generator, receiver or broker, and anything else; "other procs" the CPU (in cores) that processes outside the benchmark used meanwhile.',
    '',
  )
  return out.join('\n')
}

/** The OTLP path: the relay's spans per second and CPU per span, every round and the median; the Collector's published figures as context. */
function otlpSection(ms: readonly Measurement[]): string[] {
  const spansPerS = (m: Measurement) => m.records / m.wallS
  const cpuPerSpan = (m: Measurement) => (m.cpuS / m.records) * 1e6
  const rows = ms.map((m) => [
    m.round,
    fmt(m.records),
    fmt(spansPerS(m)),
    fmt(cpuPerSpan(m), 1),
    fmt(m.records / m.cpuS),
    fmt(m.peakRssMb, 1),
    m.sinkRequests === null ? '' : fmt(m.records / m.sinkRequests, 1),
  ])
  rows.push([
    'median',
    '',
    fmt(median(ms.map(spansPerS))),
    fmt(median(ms.map(cpuPerSpan)), 1),
    fmt(median(ms.map((m) => m.records / m.cpuS))),
    fmt(median(ms.map((m) => m.peakRssMb)), 1),
    '',
  ])
  return [
    `## OTLP (opentelemetry exporter), ${OTLP_PATH.slice(OTLP_PATH.indexOf(' ') + 1)}: spans per second and CPU per span`,
    '',
    'The relay posted the l7_flow_log NDJSON, exporting each record as one span over OTLP/gRPC (its defaults: 32 spans per Export call, 4 queues, one call in flight per queue; `export-fields: [$tag, $metrics]`) to the counting receiver (`scripts/bench/otlp-receiver.ts`, @grpc/grpc-js, spans counted by walking the wire format).',
    '',
    table(['round', 'spans', 'spans/s', 'CPU µs per span', 'spans per CPU-second', 'peak RSS MB', 'spans per Export'], rows),
    '',
    "No peer: nothing that turns DeepFlow's records into spans can be installed here (deepflow-server's exporter needs the server, its ClickHouse and agents). For context only, not measured here: the OpenTelemetry Collector's own published figures (its docs/performance.md, Collector v0.1.3, spans of 20 attributes received as OTLP and exported) were about 12,000 spans/s sustained on 1 CPU (10,000 recommended), 24,000 on 2.",
    '',
  ]
}
