// Whether a disk buffer's directory can be used: a fake file system for the cases a test run as
// root cannot make (EACCES, EROFS, a stat refused), the node:fs probe on a real temporary directory.
import test from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bufferPathProblems } from '../../src/config-file/buffer-paths.ts'
import { parseConfig } from '../../src/config-file/load.ts'
import { formatProblem } from '../../src/config-file/problems.ts'
import { type DirProbe, nodeDirProbe, type PathKind } from '../../src/runtime/dir-probe.ts'
import { exportersYaml, STDOUT } from './helpers.ts'

/** A file system of the paths given (any other path is missing); `unwritable`: directories and why. */
function fakeProbe(paths: Record<string, PathKind>, unwritable: Record<string, string> = {}): DirProbe & { asked: string[] } {
  const asked: string[] = []
  return {
    asked,
    kind(path) {
      asked.push(path)
      return paths[path] ?? 'missing'
    },
    unwritable: (dir) => unwritable[dir],
  }
}

const ROOTS: Record<string, PathKind> = { '/': 'directory', '/var': 'directory', '/var/lib': 'directory' }

/** The formatted problems of one stdout exporter named `name` with `buffer`. */
function problems(buffer: string, probe: DirProbe, opts: { name?: string; ingester?: boolean; extra?: string } = {}): string[] {
  const entry = `${STDOUT}\nname: ${opts.name ?? 'out'}\n${opts.extra === undefined ? '' : `${opts.extra}\n`}buffer: ${buffer}`
  const config = parseConfig(exportersYaml([entry], { ingester: opts.ingester ?? false }), '/etc/relay/relay.yaml')
  return bufferPathProblems(config, probe).map(formatProblem)
}

test('the exporter directory exists and can be written in: no problem; nor for its queue directories', () => {
  const probe = fakeProbe({
    ...ROOTS,
    '/var/lib/relay': 'directory',
    '/var/lib/relay/out': 'directory',
    '/var/lib/relay/out/q0': 'directory',
  })
  assert.deepEqual(problems('{type: disk, path: /var/lib/relay}', probe), [])
  assert.deepEqual(probe.asked, [
    '/var/lib/relay/out',
    '/var/lib/relay/out/q0',
    '/var/lib/relay/out/q0',
    '/var/lib/relay/out/q1',
    '/var/lib/relay/out/q2',
    '/var/lib/relay/out/q3',
  ])
})

test('the directory does not exist yet: its nearest existing parent must be writable (it is created at start)', () => {
  assert.deepEqual(problems('{type: disk, path: /var/lib/relay/spool}', fakeProbe(ROOTS)), [])
  assert.deepEqual(problems('{type: disk, path: /var/lib/relay/spool}', fakeProbe(ROOTS, { '/var/lib': 'EACCES' })), [
    'exporters[0].buffer.path: /var/lib: not writable (EACCES); /var/lib/relay/spool/out cannot be created',
  ])
})

test('the directory exists and cannot be written in: EACCES, EROFS', () => {
  const paths = { ...ROOTS, '/var/lib/relay': 'directory', '/var/lib/relay/out': 'directory' } as const
  assert.deepEqual(problems('{type: disk, path: /var/lib/relay}', fakeProbe(paths, { '/var/lib/relay/out': 'EROFS' })), [
    'exporters[0].buffer.path: /var/lib/relay/out: not writable (EROFS)',
  ])
  assert.deepEqual(
    problems('{type: disk, path: /var/lib/relay}', fakeProbe(paths, { '/var/lib/relay/out': 'EACCES' }), { ingester: true }),
    [
      'ingester.exporters[0].buffer.path: /var/lib/relay/out: not writable (EACCES)',
    ],
  )
})

test('a file in the way: the path itself, a parent, the exporter directory, a queue directory', () => {
  assert.deepEqual(problems('{type: disk, path: /var/lib/relay}', fakeProbe({ ...ROOTS, '/var/lib/relay': 'file' })), [
    'exporters[0].buffer.path: /var/lib/relay is a file, not a directory; /var/lib/relay/out cannot be created',
  ])
  assert.deepEqual(problems('{type: disk, path: /var/lib/relay/a/b}', fakeProbe({ ...ROOTS, '/var/lib/relay': 'file' })), [
    'exporters[0].buffer.path: /var/lib/relay is a file, not a directory; /var/lib/relay/a/b/out cannot be created',
  ])
  assert.deepEqual(problems('{type: disk, path: /var/lib}', fakeProbe({ ...ROOTS, '/var/lib/out': 'file' })), [
    'exporters[0].buffer.path: /var/lib/out is a file, not a directory',
  ])
  assert.deepEqual(
    problems('{type: disk, path: /var/lib}', fakeProbe({ ...ROOTS, '/var/lib/out': 'directory', '/var/lib/out/q2': 'file' })),
    [
      'exporters[0].buffer.path: /var/lib/out/q2 is a file, not a directory',
    ],
  )
  assert.deepEqual(problems('{type: disk, path: /var/lib}', fakeProbe({ ...ROOTS, '/var/lib/out': 'other' })), [
    'exporters[0].buffer.path: /var/lib/out is not a directory',
  ])
})

test('a queue directory beyond queue-count is not checked; one within it that cannot be written in is', () => {
  const paths = { ...ROOTS, '/var/lib/out': 'directory', '/var/lib/out/q0': 'directory', '/var/lib/out/q1': 'file' } as const
  assert.deepEqual(problems('{type: disk, path: /var/lib}', fakeProbe(paths), { extra: 'queue-count: 1' }), [])
  assert.deepEqual(
    problems('{type: disk, path: /var/lib}', fakeProbe(paths, { '/var/lib/out/q0': 'EACCES' }), { extra: 'queue-count: 1' }),
    [
      'exporters[0].buffer.path: /var/lib/out/q0: not writable (EACCES)',
    ],
  )
})

test('a path that cannot be looked at, a relative path, nothing at all', () => {
  assert.deepEqual(problems('{type: disk, path: /var/lib/relay}', fakeProbe({ ...ROOTS, '/var/lib/relay': { error: 'EACCES' } })), [
    'exporters[0].buffer.path: /var/lib/relay: cannot be read (EACCES); /var/lib/relay/out cannot be created',
  ])
  // Relative to the config file's directory, /etc/relay.
  assert.deepEqual(problems('{type: disk, path: spool}', fakeProbe({ '/': 'directory', '/etc': 'file' })), [
    'exporters[0].buffer.path: /etc is a file, not a directory; /etc/relay/spool/out cannot be created',
  ])
  assert.deepEqual(problems('{type: disk, path: /x}', fakeProbe({})), [
    'exporters[0].buffer.path: / does not exist; /x/out cannot be created',
  ])
})

test('buffers in memory and exporters that do not run are not looked at; each disk exporter has its own problem', () => {
  const probe = fakeProbe({ ...ROOTS, '/var/lib/a': 'file' })
  const config = parseConfig(
    exportersYaml([
      `${STDOUT}\nname: mem`,
      `${STDOUT}\nname: off\nbuffer: {type: disk, path: /var/lib/a}`.replace('enabled: true', 'enabled: false'),
      `${STDOUT}\nname: one\nbuffer: {type: disk, path: /var/lib/a}`,
      `${STDOUT}\nname: two\nbuffer: {type: disk, path: /var/lib/a/b}`,
    ]),
    'x.yaml',
  )
  assert.deepEqual(bufferPathProblems(config, probe).map(formatProblem), [
    'exporters[2].buffer.path: /var/lib/a is a file, not a directory; /var/lib/a/one cannot be created',
    'exporters[3].buffer.path: /var/lib/a is a file, not a directory; /var/lib/a/b/two cannot be created',
  ])
  assert.equal(probe.asked.some((p) => p.includes('mem') || p.includes('off')), false)
})

test('nodeDirProbe on a real directory: a directory, a file, missing (a path under a file too), writable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-dir-probe-'))
  try {
    mkdirSync(join(dir, 'd'))
    writeFileSync(join(dir, 'f'), 'x')
    assert.equal(nodeDirProbe.kind(join(dir, 'd')), 'directory')
    assert.equal(nodeDirProbe.kind(join(dir, 'f')), 'file')
    assert.equal(nodeDirProbe.kind(join(dir, 'none')), 'missing')
    assert.equal(nodeDirProbe.kind(join(dir, 'f', 'under')), 'missing')
    assert.equal(nodeDirProbe.kind('/dev/null'), 'other')
    assert.equal(nodeDirProbe.unwritable(join(dir, 'd')), undefined)
    assert.equal(nodeDirProbe.unwritable(join(dir, 'none')), 'ENOENT')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
