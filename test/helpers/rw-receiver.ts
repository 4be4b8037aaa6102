// A small remote-write receiver for the fault cases a real one cannot be made to produce on demand
// (500 then 204, 400, 429 with Retry-After, hanging): it decodes every request (snappy block +
// protobuf WriteRequest) and answers from a script. Real receivers are tested beside it.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { snappyBlockUncompress as uncompress } from '../../src/util/snappy.ts'
import { decodeWriteRequest, type TimeSeries } from '../../src/wire/remote-write/prompb.ts'

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders
  /** Client port of the connection: equal for requests sent over one kept-alive connection. */
  readonly clientPort: number
  readonly series: TimeSeries[]
  readonly status: number
}

export type Reply =
  | {
    status: number
    body?: string
    headers?: Record<string, string>
    delayMs?: number
    /** The answer is held until this settles (the test releases it). */
    hold?: Promise<void>
  }
  | 'hang'

export interface Receiver {
  readonly url: string
  readonly requests: ReceivedRequest[]
  /** Series of every request received so far, answered or not (requests are counted when answered). */
  readonly received: { requests: number; series: number }
  /** Replies for the next requests, in order; afterwards `fallback` (204 unless set). */
  script(...replies: Reply[]): void
  /** The reply once the script is used up. */
  setFallback(reply: Reply): void
  close(): Promise<void>
}

/** With `tls`, the receiver speaks https with that key and certificate. */
export async function startReceiver(tls?: { key: string; cert: string }, port = 0): Promise<Receiver> {
  const requests: ReceivedRequest[] = []
  const received = { requests: 0, series: 0 }
  let replies: Reply[] = []
  let fallback: Reply = { status: 204 }
  const hanging = new Set<() => void>()
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = new Uint8Array(Buffer.concat(chunks))
      const reply = replies.shift() ?? fallback
      let series: TimeSeries[] = []
      try {
        series = decodeWriteRequest(uncompress(body)).timeseries
      } catch {
        // not a remote-write body: recorded with no series
      }
      received.requests++
      received.series += series.length
      if (reply === 'hang') {
        requests.push({ headers: req.headers, clientPort: req.socket.remotePort ?? 0, series, status: 0 })
        hanging.add(() => res.destroy())
        return
      }
      const answer = () => {
        requests.push({ headers: req.headers, clientPort: req.socket.remotePort ?? 0, series, status: reply.status })
        res.writeHead(reply.status, reply.headers ?? {})
        res.end(reply.body ?? '')
      }
      if (reply.hold !== undefined) void reply.hold.then(answer)
      else if (reply.delayMs === undefined) answer()
      else setTimeout(answer, reply.delayMs)
    })
  }
  const server = tls === undefined ? createServer(handle) : createHttpsServer(tls, handle)
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const bound = (server.address() as AddressInfo).port
  return {
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${bound}/api/v1/write`,
    requests,
    received,
    script: (...r) => {
      replies = r
    },
    setFallback: (r) => {
      fallback = r
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const end of hanging) end()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Series as `name{label="value",...} value @timestamp` lines, for exact comparisons. */
export function seriesText(series: readonly TimeSeries[]): string[] {
  return series.map((s) => {
    const name = s.labels.find((l) => l.name === '__name__')?.value ?? ''
    const labels = s.labels.filter((l) => l.name !== '__name__').map((l) => `${l.name}="${l.value}"`).join(',')
    return `${name}{${labels}} ${s.samples.map((x) => `${x.value} @${x.timestamp}`).join(' ')}`
  })
}
