// GET /: a small self-contained status page (no CDN, no build step; embedded in the binary). It
// renders GET /v1/status every 2 s: the exporters, then the sources' lag per data source. Elements carry data-testid attributes for the browser test.
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>deepflow-relay</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #f6f7f9; }
  h1 { font-size: 1.3rem; margin: 0 0 .2rem; }
  .meta { color: #5a6275; margin-bottom: 1rem; }
  .badge { display: inline-block; padding: 0 .5rem; border-radius: .6rem; font-weight: 600; }
  .up { background: #d6f5dd; color: #17672c; } .down { background: #fbd9d9; color: #8d1d1d; }
  section { background: #fff; border: 1px solid #dfe3ea; border-radius: .5rem; padding: .8rem 1rem; margin-bottom: 1rem; }
  h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: .2rem .6rem .2rem 0; vertical-align: top; }
  th { color: #5a6275; font-weight: 500; width: 12rem; }
  .bar { background: #e9ecf1; border-radius: .3rem; height: .5rem; width: 12rem; display: inline-block; margin-left: .5rem; }
  .bar > span { display: block; height: 100%; border-radius: .3rem; background: #4a78d6; }
  .err { color: #8d1d1d; font-family: ui-monospace, monospace; font-size: 12px; }
</style>
</head>
<body>
<h1>deepflow-relay <span data-testid="version"></span></h1>
<div class="meta">
  <span data-testid="runtime"></span> · up <span data-testid="uptime"></span> s · config <span data-testid="config"></span>
  · <span data-testid="ready" class="badge"></span> <span data-testid="not-ready-reason"></span>
</div>
<section id="warnings" data-testid="warnings" hidden><h2>config warnings</h2><ul></ul></section>
<section id="names" data-testid="names"><h2>universal-tag names</h2><div></div></section>
<div id="exporters"></div>
<div id="sources"></div>
<div class="meta" id="error"></div>
<script>
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
const pct = (a, b) => (b > 0 ? Math.min(100, (100 * a) / b) : 0)
function render(s) {
  document.querySelector('[data-testid=version]').textContent = s.version
  document.querySelector('[data-testid=runtime]').textContent = s.runtime
  document.querySelector('[data-testid=uptime]').textContent = s.uptime_s
  document.querySelector('[data-testid=config]').textContent = s.config_file ?? 'embedded default'
  const ready = document.querySelector('[data-testid=ready]')
  ready.textContent = s.ready ? 'ready' : 'not ready'
  ready.className = 'badge ' + (s.ready ? 'up' : 'down')
  document.querySelector('[data-testid=not-ready-reason]').textContent = s.not_ready_reason ?? ''
  const warnings = document.getElementById('warnings')
  warnings.hidden = s.warnings.length === 0
  warnings.querySelector('ul').innerHTML = s.warnings.map((w) => \`<li data-testid="warning">\${esc(w)}</li>\`).join('')
  const names = s.names
  document.querySelector('#names > div').innerHTML = names.kind === 'none'
    ? 'none: ids stay raw (relay.universal-tags is not set)'
    : \`\${esc(names.kind)} <span data-testid="names-from">\${esc(names.from ?? '')}</span>\` + (names.databases.length === 0 ? '' : \`<table>\${names.databases.map((d) => \`
        <tr data-testid="names-database" data-database="\${esc(d.database)}"><th>\${esc(d.database)}</th><td>
          \${d.age_s === null ? '<span class="badge down">never loaded</span>' : \`loaded <span data-testid="names-age">\${d.age_s}</span> s ago\`}
          · \${d.entries} entries\${d.error ? \`<div class="err">\${esc(d.error)}</div>\` : ''}</td></tr>\`).join('')}</table>\`)
  document.getElementById('exporters').innerHTML = s.exporters.map((e) => \`
    <section data-testid="exporter" data-name="\${esc(e.name)}">
      <h2>\${esc(e.name)} <small>(\${esc(e.protocol)})</small>
        <span class="badge \${e.up ? 'up' : 'down'}" data-testid="exporter-up">\${e.up ? 'up' : 'down'}</span></h2>
      <table>
        <tr><th>data sources</th><td>\${e.data_sources.map(esc).join(', ')}</td></tr>
        <tr><th>endpoints</th><td>\${e.endpoints.map((p) => \`<div data-testid="endpoint" data-endpoint="\${esc(p.endpoint)}" data-up="\${p.up}">
          <span class="badge \${p.up ? 'up' : 'down'}">\${p.up ? 'up' : 'down'}</span> \${esc(p.endpoint)}
          \${p.last_error ? \`<div class="err">\${esc(p.last_error)}</div>\` : ''}</div>\`).join('')}</td></tr>
        <tr><th>queue records</th><td><span data-testid="queue-records">\${e.queue.records}</span> / \${e.queue.capacity_records}
          <span class="bar"><span style="width:\${pct(e.queue.records, e.queue.capacity_records)}%"></span></span></td></tr>
        <tr><th>queue bytes</th><td><span data-testid="queue-bytes">\${e.queue.bytes}</span> / \${e.queue.capacity_bytes}
          <span class="bar"><span style="width:\${pct(e.queue.bytes, e.queue.capacity_bytes)}%"></span></span></td></tr>
        <tr><th>records/s (last minute)</th><td>in <span data-testid="rate-in">\${e.rate.in_per_s}</span> · out <span data-testid="rate-out">\${e.rate.out_per_s}</span></td></tr>
        <tr><th>sent</th><td data-testid="sent">\${e.sent}</td></tr>
        <tr><th>retries</th><td data-testid="retries">\${e.retries}</td></tr>
        <tr><th>dropped</th><td>\${Object.entries(e.dropped).map(([r, n]) => \`\${esc(r)} <span data-testid="dropped-\${esc(r)}">\${n}</span>\`).join(' · ')}</td></tr>
      </table>
    </section>\`).join('')
  document.getElementById('sources').innerHTML = s.sources.map((src) => \`
    <section data-testid="source" data-name="\${esc(src.name)}">
      <h2>\${esc(src.name)} <small>(ClickHouse source)</small></h2>
      <table>\${src.data_sources.map((d) => \`
        <tr><th>\${esc(d.name)}</th><td>lag <span data-testid="source-lag" data-data-source="\${esc(d.name)}">\${d.lag_s}</span> s
          · cursor \${esc(d.cursor_time)}</td></tr>\`).join('')}
      </table>
    </section>\`).join('')
  document.getElementById('error').textContent = ''
}
async function refresh() {
  try {
    const res = await fetch('v1/status', { cache: 'no-store' })
    if (!res.ok) throw new Error('GET /v1/status: HTTP ' + res.status)
    render(await res.json())
    document.body.dataset.rendered = String(Date.now())
  } catch (err) {
    document.getElementById('error').textContent = String(err)
  }
}
refresh()
setInterval(refresh, 2000)
</script>
</body>
</html>
`
