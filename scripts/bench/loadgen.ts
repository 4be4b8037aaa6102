// The load generator (its own process, pinned by the runner to the receiver's core): posts the
// lines of a pre-generated file over loopback, `--per-request` lines per body, from `--concurrency`
// keep-alive connections. Bodies are cut from the file's bytes before the clock starts. Without
// --duration every body is posted once; with it, bodies are posted round and round until then.
// With --rate R (records/s) body i is not posted before start + i × per-request / R: requests are
// spaced evenly, and one that falls behind its time is posted at once (by a free connection) but
// never early, so the pace is kept without bursts beyond catching up; `maxLagMs` says how far
// behind the schedule a body was posted at worst.
// 429/503 (a full queue) are retried as a sender that keeps its data would: after --retry-ms,
// doubling on each refusal of the same body up to the Retry-After the server gave (else 1 s), so a
// refused request costs the server little while the wait stays short once there is room.
// Prints one JSON line at the end: {start, end, requests, records, bytes, retries, errors, firstError, maxLagMs}.
// Usage: bun scripts/bench/loadgen.ts --url URL --file FILE [--per-request 1000] [--concurrency 4]
//        [--duration SECONDS] [--rate RECORDS_PER_S] [--retry-ms 10] [--content-type application/x-ndjson]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { now } from './clock.ts'

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    file: { type: 'string' },
    'per-request': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    'retry-ms': { type: 'string', default: '10' },
    'content-type': { type: 'string', default: 'application/x-ndjson' },
  },
})
const url = values.url!
const perRequest = Number(values['per-request'])
const concurrency = Number(values.concurrency)
const durationMs = values.duration === undefined ? undefined : Number(values.duration) * 1000
const retryMs = Number(values['retry-ms'])
const rate = values.rate === undefined ? undefined : Number(values.rate)
if (rate !== undefined && !(rate > 0)) throw new Error(`--rate ${values.rate}: a positive number of records per second`)

const data = new Uint8Array(readFileSync(values.file!))
const bodies: { body: Uint8Array<ArrayBuffer>; records: number }[] = []
let from = 0
let count = 0
for (let i = 0; i < data.length; i++) {
  if (data[i] !== 0x0a) continue
  if (++count === perRequest) {
    bodies.push({ body: data.subarray(from, i + 1), records: count })
    from = i + 1
    count = 0
  }
}
if (from < data.length) bodies.push({ body: data.subarray(from), records: count + (data[data.length - 1] === 0x0a ? 0 : 1) })
if (bodies.length === 0) throw new Error(`${values.file}: empty`)

const result = { start: 0, end: 0, requests: 0, records: 0, bytes: 0, retries: 0, errors: 0, firstError: '', maxLagMs: 0 }
let next = 0
const headers = { 'content-type': values['content-type']! }

async function worker(deadline: number): Promise<void> {
  for (;;) {
    if (durationMs === undefined ? next >= bodies.length : now() >= deadline) return
    const i = next++
    const { body, records } = bodies[i % bodies.length]!
    if (rate !== undefined) {
      // Body i is due once i bodies' worth of records have had their time (bodies but the last are full).
      const due = result.start + (i * perRequest * 1000) / rate
      const early = due - now()
      if (early > 0) await new Promise((r) => setTimeout(r, early))
      else result.maxLagMs = Math.max(result.maxLagMs, -early)
    }
    let wait = retryMs
    for (;;) {
      const res = await fetch(url, { method: 'POST', body, headers })
      const text = await res.text()
      result.requests++
      if (res.ok) {
        result.records += records
        result.bytes += body.byteLength
        break
      }
      if (res.status === 429 || res.status === 503) {
        result.retries++
        const cap = Number(res.headers.get('retry-after') ?? 1) * 1000 || 1000
        await new Promise((r) => setTimeout(r, wait))
        wait = Math.min(wait * 2, cap)
        continue
      }
      result.errors++
      if (result.firstError === '') result.firstError = `${res.status} ${text.slice(0, 500)}`
      break
    }
  }
}

result.start = now()
const deadline = result.start + (durationMs ?? 0)
await Promise.all(Array.from({ length: concurrency }, () => worker(deadline)))
result.end = now()
console.log(JSON.stringify(result))
