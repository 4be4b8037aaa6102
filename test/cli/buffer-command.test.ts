// `buffer inspect` and `buffer repair` on real buffers in temporary directories, built as the relay
// writes them (openSegmentLog + encodeEntry), then damaged as a crash or a disk damages them: a
// truncated last entry, a flipped bit, a missing segment, a ledger past the end, a ledger that is not
// one. Exact output of inspect, then repair, then inspect again (0 corrupt, the good entries all
// there); inspect changes nothing on disk. Through runBufferCommand (a fixed clock) and main().
import test from 'node:test'
import assert from 'node:assert/strict'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeEntry, encodeEntry } from '../../src/buffer/entry.ts'
import { HEADER_BYTES } from '../../src/buffer/frame.ts'
import { ledgerBytes, openSegmentLog, type SegmentLog } from '../../src/buffer/segment-log.ts'
import { runBufferCommand } from '../../src/cli/buffer-command.ts'
import { parseConfig } from '../../src/config-file/load.ts'
import type { Config } from '../../src/config/types.ts'
import { main } from '../../src/main.ts'
import { type LogFiles, nodeLogFiles } from '../../src/runtime/log-files.ts'
import { createFakeRuntime } from '../helpers/fake-runtime.ts'

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0)
const S = 1000
const enc = (s: string) => new TextEncoder().encode(s)

/** Appends entries `[written-at, 10-character item]` (30-byte frames) to the queue in `dir`, then closes it. */
async function writeQueue(dir: string, entries: readonly (readonly [number, string])[], segmentBytes = 1 << 20): Promise<SegmentLog> {
  const log = openSegmentLog({ dir, files: nodeLogFiles, segmentBytes, onSkipped: () => {} })
  for (const [at, item] of entries) assert.ok(log.append(encodeEntry(at, enc(item.padEnd(10, '.'))), false).ok)
  await log.close()
  return log
}

/** Six entries a1 … c2 in three segments of two (64-byte segments, 60 bytes each), written 60 s to 10 s ago. */
const SIX = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'].map((s, i) => [NOW - (60 - 10 * i) * S, s] as const)

/** The items the relay would read from the queue in `dir`, in order. */
function items(dir: string): string[] {
  const log = openSegmentLog({ dir, files: nodeLogFiles, segmentBytes: 64, onSkipped: () => {} })
  const out: string[] = []
  for (let e = log.read(); e !== undefined; e = log.read()) out.push(new TextDecoder().decode(decodeEntry(e.payload)!.item).slice(0, 2))
  return out
}

/** Every file under `dir` with its bytes and mtime: what inspect must leave as it was. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name)
    const st = statSync(path)
    out[name] = st.isDirectory() ? 'dir' : `${readFileSync(path).toString('hex')} ${st.mtimeMs}`
  }
  return out
}

/** A config whose stdout exporter `out` (queue-count 2) buffers on disk in `root`; `idle` too (never written); `mem` in memory. */
function configIn(root: string): Config {
  const entry = (name: string, buffer: string) =>
    `  - protocol: stdout\n    name: ${name}\n    enabled: true\n    queue-count: 2\n    data-sources: [flow_log.l7_flow_log]\n    export-fields: [$tag]\n    buffer: ${buffer}\n`
  return parseConfig(
    `exporters:\n${entry('out', `{type: disk, path: ${root}}`)}${entry('mem', '{type: memory}')}${
      entry('idle', `{type: disk, path: ${root}}`)
    }`,
    '/etc/relay/relay.yaml',
  )
}

async function command(action: 'inspect' | 'repair', config: Config, opts: { json?: boolean; files?: LogFiles } = {}) {
  const out: string[] = []
  const code = await runBufferCommand(action, config, {
    files: opts.files ?? nodeLogFiles,
    now: () => NOW,
    writeStdout: (s) => {
      out.push(s)
      return Promise.resolve()
    },
  }, { json: opts.json ?? false })
  return { code, stdout: out.join('') }
}

function inTemp(body: (root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'relay-buffer-command-'))
    try {
      await body(root)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }
}

const HEAD = '  queue  entries  bytes  segments  oldest  corrupt'
const REPAIR_HINT = '1 corrupt in all: stop the relay, then run deepflow-relay buffer repair --config /etc/relay/relay.yaml'

test(
  'inspect, a clean buffer: entries from the ledger on, bytes, segments, the oldest age; an exporter without a directory is empty',
  inTemp(async (root) => {
    const q0 = join(root, 'out', 'q0')
    const log = await writeQueue(q0, [[NOW - 90 * S, 'x0'], [NOW - 60 * S, 'x1'], [NOW - 30 * S, 'x2']])
    await writeQueue(join(root, 'out', 'q1'), [[NOW - (2 * 3600 + 5 * 60) * S, 'y0']])
    // The first entry acknowledged: the ledger points past it.
    writeFileSync(join(q0, 'ledger.json'), JSON.stringify({ v: 1, segment: 1, offset: 30 }))
    assert.deepEqual(log.positions().write, { segment: 1, offset: 90 })
    const before = snapshot(root)
    const r = await command('inspect', configIn(root))
    assert.deepEqual(r, {
      code: 0,
      stdout: [
        `out (stdout): ${root}/out`,
        HEAD,
        '  q0           2   90 B         1   1m00s        0',
        '  q1           1   30 B         1   2h05m        0',
        `idle (stdout): ${root}/idle: empty (no buffer yet)`,
        '',
      ].join('\n'),
    })
    assert.deepEqual(snapshot(root), before)
    assert.equal(existsSync(join(root, 'idle')), false)
  }),
)

test(
  'inspect: no queue directory yet, an empty queue, a queue directory beyond queue-count, a file that is not one',
  inTemp(async (root) => {
    mkdirSync(join(root, 'idle'), { recursive: true })
    mkdirSync(join(root, 'out', 'q0'), { recursive: true })
    await writeQueue(join(root, 'out', 'q7'), [[NOW - 5 * S, 'z0']])
    writeFileSync(join(root, 'out', 'notes.txt'), 'not a queue')
    mkdirSync(join(root, 'out', 'q01'))
    const r = await command('inspect', configIn(root))
    assert.deepEqual(r, {
      code: 0,
      stdout: [
        `out (stdout): ${root}/out`,
        HEAD,
        '  q0           0    0 B         0       -        0',
        '  q7           1   30 B         1      5s        0',
        `idle (stdout): ${root}/idle: empty (no queue directories)`,
        '',
      ].join('\n'),
    })
  }),
)

test(
  'a truncated last entry: inspect reports it; repair truncates the segment; inspect then finds 0 corrupt and the rest',
  inTemp(async (root) => {
    const q0 = join(root, 'out', 'q0')
    await writeQueue(q0, SIX, 64)
    truncateSync(join(q0, '00000000000000000003.seg'), 55)
    const before = snapshot(root)
    assert.deepEqual(await command('inspect', configIn(root)), {
      code: 0,
      stdout: [
        `out (stdout): ${root}/out`,
        HEAD,
        '  q0           5  175 B         3   1m00s        1',
        '  q0: segment 3 offset 30: a torn entry (18 bytes announced, 13 there)',
        `idle (stdout): ${root}/idle: empty (no buffer yet)`,
        REPAIR_HINT,
        '',
      ].join('\n'),
    })
    assert.deepEqual(snapshot(root), before)
    assert.deepEqual(await command('repair', configIn(root)), {
      code: 0,
      stdout: [
        `out (stdout): ${root}/out`,
        '  q0: segment 3 offset 30: removed 25 bytes: a torn entry (18 bytes announced, 13 there)',
        '  q0: segment 3 truncated from 55 to 30 bytes',
        '  q0: repaired: 1 damaged entry removed (25 bytes); 5 entries kept, 0 corrupt',
        `idle (stdout): ${root}/idle: empty (no buffer yet)`,
        '',
      ].join('\n'),
    })
    assert.equal(statSync(join(q0, '00000000000000000003.seg')).size, 30)
    assert.deepEqual(items(q0), ['a1', 'a2', 'b1', 'b2', 'c1'])
    assert.deepEqual((await command('inspect', configIn(root))).stdout.split('\n').slice(1, 3), [
      HEAD,
      '  q0           5  150 B         3   1m00s        0',
    ])
  }),
)

test(
  'a flipped bit: that entry is reported; repair rewrites its segment without it; the others stay, in order',
  inTemp(async (root) => {
    const q0 = join(root, 'out', 'q0')
    await writeQueue(q0, SIX, 64)
    const middle = join(q0, '00000000000000000002.seg')
    const bytes = readFileSync(middle)
    bytes[HEADER_BYTES + 9]! ^= 0x10 // inside b1's item
    writeFileSync(middle, bytes)
    assert.deepEqual((await command('inspect', configIn(root))).stdout.split('\n').slice(2, 4), [
      '  q0           5  180 B         3   1m00s        1',
      '  q0: segment 2 offset 0: a wrong checksum',
    ])
    assert.deepEqual(await command('repair', configIn(root)), {
      code: 0,
      stdout: [
        `out (stdout): ${root}/out`,
        '  q0: segment 2 offset 0: removed 30 bytes: a wrong checksum',
        '  q0: segment 2 rewritten from 60 to 30 bytes',
        '  q0: repaired: 1 damaged entry removed (30 bytes); 5 entries kept, 0 corrupt',
        `idle (stdout): ${root}/idle: empty (no buffer yet)`,
        '',
      ].join('\n'),
    })
    assert.deepEqual(items(q0), ['a1', 'a2', 'b2', 'c1', 'c2'])
    assert.deepEqual(readdirSync(q0).sort(), [
      '00000000000000000001.seg',
      '00000000000000000002.seg',
      '00000000000000000003.seg',
      'ledger.json',
    ])
    assert.deepEqual((await command('inspect', configIn(root))).stdout.split('\n')[2], '  q0           5  150 B         3   1m00s        0')
  }),
)

test(
  'a missing segment: reported; repair puts an empty segment in its place; the other entries stay',
  inTemp(async (root) => {
    const q0 = join(root, 'out', 'q0')
    await writeQueue(q0, SIX, 64)
    unlinkSync(join(q0, '00000000000000000002.seg'))
    assert.deepEqual((await command('inspect', configIn(root))).stdout.split('\n').slice(2, 4), [
      '  q0           4  120 B         2   1m00s        1',
      '  q0: segment 2 offset 0: the segment is missing',
    ])
    assert.deepEqual((await command('repair', configIn(root))).stdout.split('\n').slice(1, 3), [
      '  q0: segment 2 was missing: an empty one takes its place (what it held is lost)',
      '  q0: repaired: 0 damaged entries removed (0 bytes); 4 entries kept, 0 corrupt',
    ])
    assert.equal(statSync(join(q0, '00000000000000000002.seg')).size, 0)
    assert.deepEqual(items(q0), ['a1', 'a2', 'c1', 'c2'])
    assert.deepEqual((await command('inspect', configIn(root))).stdout.split('\n')[2], '  q0           4  120 B         3   1m00s        0')
  }),
)

test(
  'a ledger past the end of its segment: reported; repair sets it where reading starts; a ledger that is not one, too',
  inTemp(async (root) => {
    const q0 = join(root, 'out', 'q0')
    await writeQueue(q0, SIX, 64)
    writeFileSync(join(q0, 'ledger.json'), JSON.stringify({ v: 1, segment: 1, offset: 999 }))
    const before = snapshot(root)
    assert.deepEqual((await command('inspect', configIn(root))).stdout.split('\n').slice(2, 4), [
      '  q0           4  180 B         3     40s        1',
      '  q0: segment 1 offset 999: the ledger points past the end of its segment (60 bytes)',
    ])
    assert.deepEqual(snapshot(root), before)
    assert.deepEqual((await command('repair', configIn(root))).stdout.split('\n').slice(1, 3), [
      '  q0: ledger.json pointed at segment 1 offset 999; now at segment 2 offset 0',
      '  q0: repaired: 0 damaged entries removed (0 bytes); 4 entries kept, 0 corrupt',
    ])
    assert.equal(readFileSync(join(q0, 'ledger.json'), 'utf8'), new TextDecoder().decode(ledgerBytes({ segment: 2, offset: 0 })))
    assert.deepEqual(items(q0), ['b1', 'b2', 'c1', 'c2'])

    writeFileSync(join(q0, 'ledger.json'), '{"v":1,"segm')
    assert.deepEqual((await command('inspect', configIn(root))).stdout.split('\n').slice(2, 4), [
      '  q0           6  180 B         3   1m00s        1',
      '  q0: segment 1 offset 0: ledger.json is not a ledger; reading starts at the oldest segment',
    ])
    assert.deepEqual((await command('repair', configIn(root))).stdout.split('\n').slice(1, 3), [
      '  q0: ledger.json was not a ledger; now at segment 1 offset 0',
      '  q0: repaired: 0 damaged entries removed (0 bytes); 6 entries kept, 0 corrupt',
    ])
    assert.deepEqual(items(q0), ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'])
  }),
)

test(
  'a ledger naming a segment that is gone, damage in two segments, a clean second queue: one repair fixes all',
  inTemp(async (root) => {
    const q0 = join(root, 'out', 'q0')
    await writeQueue(q0, [...SIX, [NOW - 5 * S, 'd1'], [NOW - 4 * S, 'd2']], 64)
    await writeQueue(join(root, 'out', 'q1'), [[NOW - 1 * S, 'e1']])
    unlinkSync(join(q0, '00000000000000000002.seg'))
    writeFileSync(join(q0, 'ledger.json'), JSON.stringify({ v: 1, segment: 2, offset: 30 }))
    // c2's frame marker broken; d2 cut to 10 bytes of its header.
    const seg3 = join(q0, '00000000000000000003.seg')
    const b3 = readFileSync(seg3)
    b3[30] = 0
    writeFileSync(seg3, b3)
    truncateSync(join(q0, '00000000000000000004.seg'), 40)
    const first = await command('inspect', configIn(root))
    assert.deepEqual(first, {
      code: 0,
      stdout: [
        `out (stdout): ${root}/out`,
        HEAD,
        '  q0           2  160 B         3     20s        4',
        '  q1           1   30 B         1      1s        0',
        '  q0: segment 2 offset 0: the segment is missing',
        '  q0: segment 2 offset 30: the ledger names a segment that is gone',
        '  q0: segment 3 offset 30: no frame marker',
        '  q0: segment 4 offset 30: a torn header (10 bytes at the end)',
        `idle (stdout): ${root}/idle: empty (no buffer yet)`,
        '4 corrupt in all: stop the relay, then run deepflow-relay buffer repair --config /etc/relay/relay.yaml',
        '',
      ].join('\n'),
    })
    assert.deepEqual(await command('repair', configIn(root)), {
      code: 0,
      stdout: [
        `out (stdout): ${root}/out`,
        '  q0: segment 3 offset 30: removed 30 bytes: no frame marker',
        '  q0: segment 3 truncated from 60 to 30 bytes',
        '  q0: segment 4 offset 30: removed 10 bytes: a torn header (10 bytes at the end)',
        '  q0: segment 4 truncated from 40 to 30 bytes',
        '  q0: segment 2 was missing: an empty one takes its place (what it held is lost)',
        '  q0: ledger.json pointed at segment 2 offset 30; now at segment 3 offset 0',
        '  q0: repaired: 2 damaged entries removed (40 bytes); 2 entries kept, 0 corrupt',
        '  q1: nothing to repair (1 entry)',
        `idle (stdout): ${root}/idle: empty (no buffer yet)`,
        '',
      ].join('\n'),
    })
    assert.deepEqual(items(q0), ['c1', 'd1'])
    assert.equal((await command('inspect', configIn(root))).stdout.includes('corrupt in all'), false)
  }),
)

test(
  'damage before the ledger is not reported and stays (the ledger keeps pointing at the same entry); damage after it is repaired',
  inTemp(async (root) => {
    const q0 = join(root, 'out', 'q0')
    await writeQueue(q0, SIX.slice(0, 4))
    writeFileSync(join(q0, 'ledger.json'), JSON.stringify({ v: 1, segment: 1, offset: 30 }))
    const seg = join(q0, '00000000000000000001.seg')
    const bytes = readFileSync(seg)
    bytes[HEADER_BYTES + 9]! ^= 1 // a1: acknowledged
    bytes[60 + HEADER_BYTES + 9]! ^= 1 // b1
    writeFileSync(seg, bytes)
    assert.deepEqual((await command('inspect', configIn(root))).stdout.split('\n').slice(2, 4), [
      '  q0           2  120 B         1     50s        1',
      '  q0: segment 1 offset 60: a wrong checksum',
    ])
    assert.deepEqual((await command('repair', configIn(root))).stdout.split('\n').slice(1, 4), [
      '  q0: segment 1 offset 60: removed 30 bytes: a wrong checksum',
      '  q0: segment 1 rewritten from 120 to 90 bytes',
      '  q0: repaired: 1 damaged entry removed (30 bytes); 2 entries kept, 0 corrupt',
    ])
    assert.deepEqual(readFileSync(seg).subarray(0, 30), bytes.subarray(0, 30))
    assert.equal(readFileSync(join(q0, 'ledger.json'), 'utf8'), '{"v":1,"segment":1,"offset":30}')
    assert.deepEqual(items(q0), ['a2', 'b2'])
  }),
)

test(
  'inspect --json: one document with every queue, the corrupt list, the position reading starts from',
  inTemp(async (root) => {
    const q0 = join(root, 'out', 'q0')
    await writeQueue(q0, SIX, 64)
    truncateSync(join(q0, '00000000000000000003.seg'), 55)
    mkdirSync(join(root, 'out', 'q1'))
    const r = await command('inspect', configIn(root), { json: true })
    assert.equal(r.code, 0)
    assert.equal(r.stdout.endsWith('}\n'), true)
    assert.deepEqual(JSON.parse(r.stdout), {
      config: '/etc/relay/relay.yaml',
      exporters: [
        {
          name: 'out',
          protocol: 'stdout',
          dir: `${root}/out`,
          state: 'present',
          queues: [
            {
              queue: 0,
              dir: `${root}/out/q0`,
              entries: 5,
              bytes: 175,
              segments: 3,
              oldestWrittenAt: '2026-01-01T11:59:00.000Z',
              oldestAgeSeconds: 60,
              readFrom: { segment: 1, offset: 0 },
              ledger: 'ok',
              corrupt: [{ segment: 3, offset: 30, why: 'a torn entry (18 bytes announced, 13 there)' }],
            },
            {
              queue: 1,
              dir: `${root}/out/q1`,
              entries: 0,
              bytes: 0,
              segments: 0,
              oldestWrittenAt: null,
              oldestAgeSeconds: null,
              readFrom: { segment: 1, offset: 0 },
              ledger: 'none',
              corrupt: [],
            },
          ],
        },
        { name: 'idle', protocol: 'stdout', dir: `${root}/idle`, state: 'empty', queues: [] },
      ],
    })
  }),
)

test(
  'repair --json: what was removed, and the queue before and after',
  inTemp(async (root) => {
    const q0 = join(root, 'out', 'q0')
    await writeQueue(q0, SIX.slice(0, 2), 64)
    truncateSync(join(q0, '00000000000000000001.seg'), 50)
    const doc = JSON.parse((await command('repair', configIn(root), { json: true })).stdout)
    const q = doc.exporters[0].queues[0]
    assert.deepEqual(
      { removed: q.removed, segments: q.segments, filled: q.filled, ledger: q.ledger },
      {
        removed: [{ segment: 1, offset: 30, bytes: 20, why: 'a torn entry (18 bytes announced, 8 there)' }],
        segments: [{ segment: 1, how: 'truncated', bytesBefore: 50, bytesAfter: 30 }],
        filled: [],
        ledger: null,
      },
    )
    assert.deepEqual([q.before.entries, q.before.corrupt.length, q.after.entries, q.after.corrupt.length, q.after.bytes], [1, 1, 1, 0, 30])
  }),
)

test(
  'a queue that cannot be read: its row says so, the others are read, exit 1',
  inTemp(async (root) => {
    await writeQueue(join(root, 'out', 'q0'), [[NOW - 2 * S, 'x0']])
    await writeQueue(join(root, 'out', 'q1'), [[NOW - 3 * S, 'y0']])
    const files: LogFiles = {
      ...nodeLogFiles,
      list(dir) {
        if (dir.endsWith('q0')) throw Object.assign(new Error(`EACCES: permission denied, scandir '${dir}'`), { code: 'EACCES' })
        return nodeLogFiles.list(dir)
      },
    }
    assert.deepEqual(await command('inspect', configIn(root), { files }), {
      code: 1,
      stdout: [
        `out (stdout): ${root}/out`,
        HEAD,
        '  q0           ?      ?         ?       ?        ?',
        '  q1           1   30 B         1      3s        0',
        `  q0: cannot be read: EACCES: permission denied, scandir '${root}/out/q0'`,
        `idle (stdout): ${root}/idle: empty (no buffer yet)`,
        '',
      ].join('\n'),
    })
    assert.deepEqual((await command('repair', configIn(root), { files })).stdout.split('\n').slice(1, 3), [
      `  q0: cannot be repaired: EACCES: permission denied, scandir '${root}/out/q0'`,
      '  q1: nothing to repair (1 entry)',
    ])
  }),
)

test('no exporter with a disk buffer: said so, exit 0', async () => {
  const config = parseConfig(
    'exporters:\n  - {protocol: stdout, enabled: true, data-sources: [flow_log.l7_flow_log], export-fields: [$tag]}\n',
    '/r.yaml',
  )
  assert.deepEqual(await command('inspect', config), {
    code: 0,
    stdout: 'no exporter of /r.yaml has a disk buffer (buffer: {type: disk, path: …})\n',
  })
  assert.deepEqual(await command('repair', config, { json: true }), {
    code: 0,
    stdout: '{\n  "config": "/r.yaml",\n  "exporters": []\n}\n',
  })
})

// Through main(): the config from --config, the real clock (ages in hours: exact within a minute).
async function run(args: string[], files: Record<string, string>) {
  const rt = createFakeRuntime({ args, files })
  const code = await main(rt)
  return { code, stdout: rt.stdout.join(''), stderr: rt.stderr.join('') }
}

const configText = (root: string) =>
  `exporters:\n  - protocol: kafka\n    name: k\n    enabled: true\n    endpoints: [kafka:9092]\n    data-sources: [flow_log.l7_flow_log]\n    export-fields: [$tag]\n    queue-count: 1\n    buffer: {type: disk, path: ${root}}\n`

test(
  'main: buffer inspect and buffer repair --config FILE',
  inTemp(async (root) => {
    const q0 = join(root, 'k', 'q0')
    await writeQueue(q0, [[Date.now() - 5 * 3600 * S, 'x0'], [Date.now() - 3600 * S, 'x1']])
    truncateSync(join(q0, '00000000000000000001.seg'), 40)
    const files = { '/c.yaml': configText(root) }
    assert.deepEqual(await run(['buffer', 'inspect', '--config', '/c.yaml'], files), {
      code: 0,
      stdout: [
        `k (kafka): ${root}/k`,
        HEAD,
        '  q0           1   40 B         1   5h00m        1',
        '  q0: segment 1 offset 30: a torn header (10 bytes at the end)',
        '1 corrupt in all: stop the relay, then run deepflow-relay buffer repair --config /c.yaml',
        '',
      ].join('\n'),
      stderr: '',
    })
    const repaired = await run(['buffer', 'repair', '--config', '/c.yaml'], files)
    assert.deepEqual([repaired.code, repaired.stderr], [0, ''])
    assert.equal(
      repaired.stdout.endsWith('  q0: repaired: 1 damaged entry removed (10 bytes); 1 entry kept, 0 corrupt\n'),
      true,
      repaired.stdout,
    )
    const doc = JSON.parse((await run(['buffer', 'inspect', '--json', '--config', '/c.yaml'], files)).stdout)
    assert.deepEqual([doc.exporters[0].queues[0].entries, doc.exporters[0].queues[0].corrupt], [1, []])
  }),
)

test(
  "main: buffer inspect leaves out check's directory validation (it reads only): a directory not there is empty and not created, a file in the way is a read error",
  inTemp(async (root) => {
    writeFileSync(join(root, 'file'), 'x')
    // check refuses this path (a file in the way); inspect reports the exporter as empty.
    const files = { '/c.yaml': configText(join(root, 'nothing', 'here')) }
    assert.deepEqual(await run(['buffer', 'inspect', '--config', '/c.yaml'], files), {
      code: 0,
      stdout: `k (kafka): ${root}/nothing/here/k: empty (no buffer yet)\n`,
      stderr: '',
    })
    assert.equal(existsSync(join(root, 'nothing')), false)
    const blocked = { '/c.yaml': configText(join(root, 'file')) }
    assert.equal((await run(['check', '--config', '/c.yaml'], blocked)).code, 2)
    const r = await run(['buffer', 'inspect', '--config', '/c.yaml'], blocked)
    assert.equal(r.code, 1)
    assert.equal(r.stdout.startsWith(`k (kafka): ${root}/file/k: cannot be read: ENOTDIR`), true, r.stdout)
  }),
)

test('main: an invalid config exits 2 with its problems; the buffer commands take --config and --json only', async () => {
  assert.deepEqual(
    await run(['buffer', 'inspect', '--config', '/c.yaml'], {
      '/c.yaml':
        'exporters:\n  - {protocol: stdout, enabled: true, data-sources: [flow_log.l7_flow_log], export-fields: [$tag], buffer: {type: ssd}}\n',
    }),
    {
      code: 2,
      stdout: '',
      stderr:
        'deepflow-relay: /c.yaml is not valid (1 problem):\n  exporters[0].buffer.type: expected memory or disk, got "ssd" (line 2)\n',
    },
  )
  for (
    const [args, error] of [
      [['buffer'], 'unknown command "buffer"; expected buffer inspect or buffer repair'],
      [['buffer', 'fix'], 'unknown command "buffer fix"; expected buffer inspect or buffer repair'],
      [['buffer', 'inspect', 'now'], 'unknown command "buffer inspect now"; expected buffer inspect or buffer repair'],
      [['buffer', 'repair', '--strict'], '--strict is not an option of buffer repair'],
      [['buffer', 'inspect', '--listen', '0.0.0.0:1'], '--listen is not an option of buffer inspect'],
      [['buffer', 'inspect', '--log-level', 'debug'], '--log-level is not an option of buffer inspect'],
      [['check', '--json'], '--json is an option of buffer inspect and buffer repair'],
      [['--json'], '--json is an option of buffer inspect and buffer repair'],
    ] as const
  ) {
    const r = await run([...args], {})
    assert.equal(r.code, 2, args.join(' '))
    assert.equal(r.stdout, '')
    assert.equal(r.stderr.startsWith(`deepflow-relay: ${error}\n\n`), true, r.stderr)
  }
})
