// The status page in a real browser, under Node (where playwright-core is supported): Debian's
// chromium driven by playwright-core (no browser download) loads GET / of the compiled binary
// while records flow and a sink is down; the numbers and the down endpoint on the page must match
// GET /v1/status. A screenshot is saved as test-output/status-page.png.
// Run by scripts/test.sh: node --test test/browser/status-page.browser.mjs
import test from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

async function startRelay() {
  const dir = mkdtempSync(join(tmpdir(), 'deepflow-relay-browser-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  copyFileSync(join(ROOT, 'dist', 'deepflow-relay'), join(dir, 'deepflow-relay'))
  const dead = `http://127.0.0.1:${await freePort()}/api/v1/write`
  writeFileSync(
    join(dir, 'relay.yaml'),
    `exporters:
  - {protocol: stdout, enabled: true, name: out, data-sources: [flow_metrics.network.1m], export-fields: [$metrics], flush-timeout: 0.05}
  - {protocol: prometheus, enabled: true, name: rw, endpoints: [${dead}], data-sources: [flow_metrics.network.1m], export-fields: [byte_tx], queue-count: 1}
`,
  )
  const child = spawn(join(dir, 'deepflow-relay'), ['--config', 'relay.yaml', '--listen', '127.0.0.1:0'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  child.stderr.on('data', (d) => (err += d))
  for (let i = 0; i < 500; i++) {
    const m = /"msg":"deepflow-relay started".*?"url":"([^"]+)"/.exec(err)
    if (m) return { url: m[1], dead, child }
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`relay did not start: ${err}`)
}

test('the status page shows what /v1/status says, with the down endpoint, while records flow', { timeout: 60_000 }, async () => {
  const relay = await startRelay()
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  try {
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${relay.url}v1/records/flow_metrics.network.1m`, {
        method: 'POST',
        body: JSON.stringify({ time: 1715133600 + i, byte_tx: i }),
      })
      assert.equal(res.status, 202)
    }
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    await page.goto(relay.url)
    const out = page.locator('[data-testid=exporter][data-name=out]')
    const rw = page.locator('[data-testid=exporter][data-name=rw]')
    // Wait until the page shows the settled state: everything written to stdout, the remote write failing.
    await page.waitForFunction(
      () => {
        const sent = document.querySelector('[data-name=out] [data-testid=sent]')
        const up = document.querySelector('[data-name=rw] [data-testid=exporter-up]')
        return sent?.textContent === '12' && up?.textContent === 'down'
      },
      undefined,
      { timeout: 30_000 },
    )
    const status = await (await fetch(`${relay.url}v1/status`)).json()
    const statusOut = status.exporters.find((e) => e.name === 'out')
    const statusRw = status.exporters.find((e) => e.name === 'rw')
    assert.equal(await out.locator('[data-testid=sent]').textContent(), String(statusOut.sent))
    assert.equal(await rw.locator('[data-testid=queue-records]').textContent(), String(statusRw.queue.records))
    assert.equal(statusRw.queue.records, 12)
    assert.equal(await rw.locator('[data-testid=exporter-up]').textContent(), 'down')
    const endpoint = rw.locator('[data-testid=endpoint]')
    assert.equal(await endpoint.getAttribute('data-endpoint'), relay.dead)
    assert.equal(await endpoint.getAttribute('data-up'), 'false')
    assert.equal(statusRw.endpoints[0].up, false)
    assert.match(await endpoint.textContent(), /connection error/)
    assert.equal(await page.locator('[data-testid=ready]').textContent(), 'not ready')
    assert.equal(await page.locator('[data-testid=version]').textContent(), status.version)
    // The config's warnings (here: flush-timeout, which DeepFlow never reads), as check prints them.
    assert.deepEqual(status.warnings, [
      'exporters[0].flush-timeout: DeepFlow never reads flush-timeout (it sends partial batches every second); the relay holds a partial batch up to 0.05 s (line 2)',
    ])
    assert.deepEqual(await page.locator('[data-testid=warning]').allTextContents(), status.warnings)
    mkdirSync(join(ROOT, 'test-output'), { recursive: true })
    await page.screenshot({ path: join(ROOT, 'test-output', 'status-page.png'), fullPage: true })
  } finally {
    await browser.close()
    relay.child.kill('SIGTERM')
  }
})
