// `check` with a disk buffer, through main(): the buffer is printed (path resolved, max-bytes in
// bytes), and its directory is validated on the real file system — a directory that does not exist
// yet under a writable parent passes (and is not created), a path under a regular file is refused
// (ENOTDIR: root bypasses permission bits, so EACCES is tested with a fake probe in
// test/config-file/buffer-paths.test.ts).
import test from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import YAML from 'yaml'
import { main } from '../../src/main.ts'
import { createFakeRuntime } from '../helpers/fake-runtime.ts'

async function run(args: string[], files: Record<string, string>) {
  const rt = createFakeRuntime({ args, files })
  const code = await main(rt)
  return { code, stdout: rt.stdout.join(''), stderr: rt.stderr.join('') }
}

const withBuffer = (buffer: string) =>
  `exporters:\n  - protocol: stdout\n    name: out\n    enabled: true\n    data-sources: [flow_log.l7_flow_log]\n    export-fields: [$tag]\n    buffer: ${buffer}\n`

function inTemp(body: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-check-buffer-'))
    try {
      await body(dir)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

test(
  'check: a buffer directory not there yet under a writable parent passes, is printed, and is not created',
  inTemp(async (dir) => {
    const r = await run(['check', '--config', '/c.yaml'], {
      '/c.yaml': withBuffer(`{type: disk, path: ${dir}/spool, max-bytes: 8Mi, sync-interval: 0}`),
    })
    assert.equal(r.stderr, '')
    assert.equal(r.code, 0)
    assert.deepEqual(YAML.parse(r.stdout).exporters[0].buffer, {
      type: 'disk',
      path: `${dir}/spool`,
      'max-bytes': 8388608,
      'sync-interval': 0,
    })
    assert.equal(existsSync(join(dir, 'spool')), false)
  }),
)

test(
  'check: a buffer path under a regular file is refused (exit 2), naming the exporter, the file and the directory',
  inTemp(async (dir) => {
    writeFileSync(join(dir, 'file'), 'not a directory')
    const r = await run(['check', '--config', '/c.yaml'], { '/c.yaml': withBuffer(`{type: disk, path: ${dir}/file/spool}`) })
    assert.deepEqual(r, {
      code: 2,
      stdout: '',
      stderr:
        `deepflow-relay: /c.yaml is not valid (1 problem):\n  exporters[0].buffer.path: ${dir}/file is a file, not a directory; ${dir}/file/spool/out cannot be created\n`,
    })
  }),
)

test(
  'running (not check) refuses the same buffer path before serving',
  inTemp(async (dir) => {
    writeFileSync(join(dir, 'file'), 'x')
    const r = await run(['--config', '/c.yaml'], { '/c.yaml': withBuffer(`{type: disk, path: ${dir}/file}`) })
    assert.deepEqual(r, {
      code: 2,
      stdout: '',
      stderr:
        `deepflow-relay: /c.yaml is not valid (1 problem):\n  exporters[0].buffer.path: ${dir}/file is a file, not a directory; ${dir}/file/out cannot be created\n`,
    })
  }),
)
