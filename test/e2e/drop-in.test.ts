// Drop-in, as a DeepFlow user tries it: the exporter blocks of DeepFlow's documentation (copies of
// ../shared/deepflow/docs-examples in test/fixtures/deepflow-docs, kept identical by the facts
// drift test) and the ingester.exporters template of deepflow-server's server.yaml, uncommented,
// pass `check` with the compiled binary and the relay starts with each and takes records. Their
// example endpoints are pointed at closed loopback ports first: nothing connects to the example
// hosts.
import test from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import YAML from 'yaml'
import { isolatedBinary, start } from '../helpers/binary.ts'

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** The file with every `endpoints: [...]` entry pointed at a closed loopback port (URLs stay URLs). */
async function withClosedEndpoints(text: string): Promise<string> {
  const port = await closedPort()
  return text.replace(
    /^(\s*endpoints:\s*)\[(.*)\]\s*$/gm,
    (_, key: string, list: string) =>
      `${key}[${list.split(',').map((e) => (e.includes('://') ? `http://127.0.0.1:${port}/receive` : `127.0.0.1:${port}`)).join(', ')}]`,
  )
}

interface Case {
  readonly file: string
  /** name (protocol): data source to post to, of every exporter that runs */
  readonly runs: Record<string, string>
  readonly skipped: readonly string[]
  readonly warnings: readonly string[]
}

const FLUSH_10 =
  'flush-timeout: DeepFlow never reads flush-timeout (it sends partial batches every second); the relay holds a partial batch up to 10 s'

const CASES: Case[] = [
  {
    file: 'deepflow-docs/kafka-exporter.yaml',
    runs: { 'kafka-0': 'flow_log.l7_flow_log' },
    skipped: [],
    warnings: [`ingester.exporters[0].${FLUSH_10} (line 21)`],
  },
  {
    file: 'deepflow-docs/prometheus-remote-write.yaml',
    runs: { 'prometheus-0': 'flow_metrics.application_map.1s' },
    skipped: [],
    warnings: [`ingester.exporters[0].${FLUSH_10} (line 18)`],
  },
  {
    file: 'deepflow-docs/prometheus-remote-write-quick-demo.yaml',
    runs: {},
    skipped: ['exporters[0]'],
    warnings: ['exporters[0]: `enabled` is not true; exporter skipped, as DeepFlow does (set `enabled: true`) (line 2)'],
  },
  {
    file: 'server-yaml-exporters.yaml',
    runs: {
      'kafka-0': 'flow_log.l7_flow_log',
      'prometheus-1': 'flow_metrics.application_map.1s',
      'opentelemetry-2': 'flow_log.l7_flow_log',
    },
    skipped: [],
    warnings: [
      `ingester.exporters[0].${FLUSH_10} (line 20)`,
      `ingester.exporters[1].${FLUSH_10} (line 52)`,
      `ingester.exporters[2].${FLUSH_10} (line 72)`,
    ],
  },
]

const RECORDS: Record<string, unknown> = {
  'flow_log.l7_flow_log': {
    time: 1715133600,
    end_time: 1715133600123512,
    l7_protocol: 20,
    request_type: 'GET',
    response_code: 200,
    pod_id_0: 153,
  },
  'flow_metrics.application_map.1s': {
    time: 1715133600,
    request: 3,
    response: 3,
    rrt_max: 1200,
    pod_id: 153,
    pod_id_1: 154,
    l7_protocol: 20,
  },
}

for (const c of CASES) {
  test(`${c.file}: passes check and the relay runs it, every exporter taking records`, async () => {
    const { dir, bin } = isolatedBinary()
    const text = await withClosedEndpoints(readFileSync(join(FIXTURES, c.file), 'utf8'))
    assert.doesNotMatch(text, /example\.com|1\.1\.1\.1/)
    // As pasted, plus a short shutdown: records for the closed endpoints are not waited for.
    writeFileSync(join(dir, 'server.yaml'), `${text}\nrelay:\n  shutdown-timeout: 0.5\n`)

    const check = spawnSync(bin, ['check', '--config', 'server.yaml'], { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } })
    assert.equal(check.status, 0, check.stderr)
    assert.equal(check.stderr, c.warnings.map((w) => `warning: ${w}\n`).join(''))
    const effective = YAML.parse(check.stdout) as { exporters: { name: string }[]; skipped?: { path: string }[] }
    assert.deepEqual(effective.exporters.map((e) => e.name), Object.keys(c.runs))
    assert.deepEqual((effective.skipped ?? []).map((s) => s.path), c.skipped)
    const strict = spawnSync(bin, ['check', '--strict', '--config', 'server.yaml'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin' },
    })
    assert.equal(strict.status, c.warnings.length === 0 ? 0 : 2, strict.stderr)

    const relay = await start(bin, dir, ['--config', 'server.yaml', '--listen', '127.0.0.1:0'])
    const logged = relay.stderr().trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string })
    assert.deepEqual(logged.filter((l) => l.level === 'warn').map((l) => l.msg), c.warnings)
    for (const ds of new Set(Object.values(c.runs))) {
      const res = await fetch(`${relay.url}v1/records/${ds}`, { method: 'POST', body: JSON.stringify(RECORDS[ds]) })
      assert.equal(res.status, 202, await res.text())
    }
    const status = await (await fetch(`${relay.url}v1/status`)).json() as { warnings: string[]; exporters: { name: string }[] }
    assert.deepEqual(status.warnings, c.warnings)
    assert.deepEqual(status.exporters.map((e) => e.name), Object.keys(c.runs))
    assert.equal(await relay.stop(), 0, relay.stderr())
  })
}

test("relative paths resolve against the config file's directory, from any working directory", async () => {
  const { dir, bin } = isolatedBinary()
  const conf = join(dir, 'conf')
  mkdirSync(conf)
  writeFileSync(join(conf, 'tags.json'), JSON.stringify({ pod: { 153: 'productpage-v1-7f9c' } }))
  writeFileSync(
    join(conf, 'relay.yaml'),
    `relay:
  universal-tags: tags.json
exporters:
  - protocol: stdout
    enabled: true
    data-sources: [flow_log.l7_flow_log]
    export-fields: [pod_id_0]
`,
  )
  for (const [cwd, file] of [[dir, 'conf/relay.yaml'], [conf, 'relay.yaml'], ['/', join(conf, 'relay.yaml')]] as const) {
    const check = spawnSync(bin, ['check', '--config', file], { cwd, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } })
    assert.equal(check.status, 0, `${cwd}: ${check.stderr}`)
    assert.equal((YAML.parse(check.stdout) as { relay: Record<string, string> }).relay['universal-tags'], join(file, '..', 'tags.json'))
  }
  const relay = await start(bin, '/', ['--config', join(conf, 'relay.yaml'), '--listen', '127.0.0.1:0'])
  const res = await fetch(`${relay.url}v1/records/flow_log.l7_flow_log`, {
    method: 'POST',
    body: JSON.stringify(RECORDS['flow_log.l7_flow_log']),
  })
  assert.equal(res.status, 202)
  assert.equal(await relay.stop(), 0)
  assert.equal(
    relay.stdout(),
    '{"datasource":"flow_log.l7_flow_log","pod_0":"productpage-v1-7f9c","time_str":"2024-05-08 02:00:00.123512 +0000 UTC"}\n',
  )
})
