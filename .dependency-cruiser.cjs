// The layers of src/, from the ground floor up, and the rules `npm test` checks them with
// (dependency-cruiser, run by scripts/test.sh: `bun node_modules/.bin/depcruise src`).
//
// A unit is a top-level folder of src/ or a file directly in src/. A unit may import itself and
// the units of the layers below its own: never a unit of its own layer or of one above. Type-only
// imports count (they are coupling too). No file-level import circle anywhere in src/.
//
// Exceptions: none. (At most one edge may ever be excepted; it is then named here with why.)
const LAYERS = [
  // Ground: DeepFlow's facts (schema, enums, its RE2 dialect), time and zones, small tools.
  ['util', 'version.ts', 'types', 'deepflow', 'time'],
  // Shared vocabularies: the config's types and defaults; the runtime ports (HTTP, files, serve)
  // with their adapters; the wire formats more than one side speaks (remote write).
  ['config', 'runtime', 'wire'],
  // Logs and metrics.
  ['observe'],
  // A DeepFlow record: body parsing, limits, field parsers, normalization. The durable buffer's
  // segment files (framing, ledger, recovery).
  ['record', 'buffer'],
  // What an exporter does to a record before encoding: tag filters, translation, export-fields.
  ['filter', 'translate', 'export-fields'],
  // DeepFlow's pure encoders: a record as a Kafka JSON line, as Prometheus series.
  ['encode'],
  // Queues, batches, workers, admission, send results, retry backoff, deadlines, the tap hub.
  ['pipeline'],
  // The sinks (kafka, remote write, stdout) and the one ingest core every entrance goes through.
  ['exporters', 'ingest'],
  // The entrances: the HTTP app (ingest, remote-write ingest, status, tap) and the ClickHouse source.
  ['http', 'sources'],
  // The relay: wiring, reload planning, start and stop.
  ['relay'],
  // The config file loader (server.yaml → Config) and the command line.
  ['cli', 'config-file'],
  ['main.ts'],
  // One entry per runtime.
  ['entry'],
]

const EXCEPTIONS = [] // [{ from: 'src/…', to: 'src/…', why: '…' }] — one at most

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const unitPath = (u) => (u.endsWith('.ts') ? `^src/${escape(u)}$` : `^src/${escape(u)}/`)
const all = LAYERS.flat()

const layerRules = LAYERS.flatMap((layer, i) =>
  layer.map((unit) => ({
    name: `layer:${unit}`,
    comment: `${unit} (layer ${i}) may import only ${unit} and the layers below it: ${LAYERS.slice(0, i).flat().join(', ') || 'nothing'}`,
    severity: 'error',
    from: { path: unitPath(unit) },
    to: {
      path: '^src/',
      pathNot: [unitPath(unit), ...LAYERS.slice(0, i).flat().map(unitPath), ...EXCEPTIONS.filter((e) => new RegExp(unitPath(unit)).test(e.from)).map((e) => `^${escape(e.to)}$`)],
    },
  }))
)

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circle between files of src/ (type-only imports included).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'unit-without-layer',
      comment: `Every top-level folder or file of src/ has a layer in .dependency-cruiser.cjs (known: ${all.join(', ')}).`,
      severity: 'error',
      from: { path: '^src/', pathNot: all.map(unitPath) },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    // TypeScript 7 has no compiler API yet; swc parses the sources (type-only imports kept).
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
  },
}
