// One remote-write POST alone, with a fake fetch on the manual clock: what is sent, how an answer
// is classified (2xx ok; 5xx and 429 retryable with Retry-After; other statuses final, with the
// start of the error body), and the no-answer cases (connection error, the deadline, the caller's
// abort). The deadline's own rules are in test/pipeline/deadline.test.ts.
import test from 'node:test'
import assert from 'node:assert/strict'
import { MAX_ERROR_BODY, type PostDeps, type PostOutcome, type PostRequest, postRequest } from '../../../src/exporters/remote-write/post.ts'
import type { HttpFetch, TlsOptions } from '../../../src/runtime/http-port.ts'
import { createManualClock, type ManualClock, settle } from '../../helpers/manual-clock.ts'

const URL_A = 'http://a:9090/api/v1/write'
const TIMEOUT_MS = 5000
/** The manual clock's start, 2023-11-14T22:13:20Z, as an HTTP-date. */
const START = 1_700_000_000_000
const REQUEST: PostRequest = {
  url: URL_A,
  headers: { 'X-Scope-OrgID': 'tenant-1', 'Content-Encoding': 'snappy' },
  body: new Uint8Array([0x03, 0x08, 0x0a, 0x00]),
}
/** What the fake fetch rejects with once its signal aborts (the runtimes word it differently). */
const ABORTED = 'The operation was aborted.'

interface Call {
  readonly url: string
  readonly init: RequestInit
  readonly tls: TlsOptions | null
  /** Whether the signal was already aborted when fetch was called. */
  readonly abortedAtCall: boolean
}

/** A fetch that records its calls and answers with `answer` (a Response, or a rejection). */
function fakeFetch(answer: (call: Call) => Promise<Response> | Response) {
  const calls: Call[] = []
  const fetch: HttpFetch = (url, init, tls) => {
    const call = { url, init, tls, abortedAtCall: init.signal?.aborted === true }
    calls.push(call)
    return Promise.resolve().then(() => answer(call))
  }
  return { fetch, calls }
}

/** A fetch that never answers, but rejects once its signal aborts, as a real fetch does. */
function hangingFetch() {
  return fakeFetch((call) =>
    new Promise<Response>((_, reject) => {
      const signal = call.init.signal!
      const fail = () => reject(new DOMException(ABORTED, 'AbortError'))
      if (signal.aborted) fail()
      else signal.addEventListener('abort', fail, { once: true })
    })
  )
}

function depsOf(fetch: HttpFetch, clock: ManualClock = createManualClock(), tls: TlsOptions | null = null): PostDeps {
  return { fetch, tls, clock, timeoutMs: TIMEOUT_MS }
}

/** Starts a post and keeps its outcome once it settles. */
function start(deps: PostDeps, signal: AbortSignal = new AbortController().signal) {
  const state: { outcome?: PostOutcome } = {}
  const done = postRequest(deps, REQUEST, signal).then((o) => (state.outcome = o))
  return { state, done }
}

/** The outcome of a post whose fake fetch answers with `response`. */
async function answered(response: Response, clock: ManualClock = createManualClock()): Promise<PostOutcome> {
  return await postRequest(depsOf(fakeFetch(() => response).fetch, clock), REQUEST, new AbortController().signal)
}

test('one POST of the request to its url: its headers and body as they are, the deadline signal, keep-alive, the TLS options', async () => {
  const tls: TlsOptions = { ca: '-----BEGIN CERTIFICATE-----\n…', insecureSkipVerify: false }
  const { fetch, calls } = fakeFetch(() => new Response(null, { status: 204 }))
  const caller = new AbortController()
  await postRequest(depsOf(fetch, createManualClock(), tls), REQUEST, caller.signal)
  assert.equal(calls.length, 1)
  const [call] = calls
  assert.equal(call!.url, URL_A)
  assert.deepEqual(Object.keys(call!.init).sort(), ['body', 'headers', 'keepalive', 'method', 'signal'])
  assert.equal(call!.init.method, 'POST')
  assert.equal(call!.init.headers, REQUEST.headers)
  assert.equal(call!.init.body, REQUEST.body)
  assert.equal(call!.init.keepalive, true)
  assert.ok(call!.init.signal instanceof AbortSignal)
  assert.notEqual(call!.init.signal, caller.signal)
  assert.equal(call!.abortedAtCall, false)
  assert.equal(call!.tls, tls)

  const plain = fakeFetch(() => new Response(null, { status: 204 }))
  await postRequest(depsOf(plain.fetch), REQUEST, caller.signal)
  assert.equal(plain.calls[0]!.tls, null)
})

test('2xx is ok, with no body kept; the body is read to its end (so the connection can be reused)', async () => {
  const response = new Response('{"ignored":true}', { status: 200 })
  assert.deepEqual(await answered(response), { answered: true, code: 200, body: '', result: { status: 'ok' } })
  assert.equal(response.bodyUsed, true)
  assert.deepEqual(await answered(new Response(null, { status: 204 })), { answered: true, code: 204, body: '', result: { status: 'ok' } })
  assert.deepEqual(await answered(new Response('', { status: 299 })), { answered: true, code: 299, body: '', result: { status: 'ok' } })
})

test('5xx is retryable, with the error body in the error; without Retry-After no retryAfterMs', async () => {
  assert.deepEqual(await answered(new Response('overloaded', { status: 503 })), {
    answered: true,
    code: 503,
    body: 'overloaded',
    result: { status: 'retryable', error: 'HTTP 503: overloaded' },
  })
  assert.deepEqual(await answered(new Response(null, { status: 500 })), {
    answered: true,
    code: 500,
    body: '',
    result: { status: 'retryable', error: 'HTTP 500' },
  })
  assert.deepEqual(await answered(new Response('bad gateway', { status: 502, headers: { 'Retry-After': '3' } })), {
    answered: true,
    code: 502,
    body: 'bad gateway',
    result: { status: 'retryable', error: 'HTTP 502: bad gateway', retryAfterMs: 3000 },
  })
})

test('429 is retryable; Retry-After in seconds is honoured as retryAfterMs, a bad one ignored', async () => {
  const tooMany = (retryAfter?: string) =>
    answered(new Response('slow down', { status: 429, headers: retryAfter === undefined ? {} : { 'Retry-After': retryAfter } }))
  const result = async (retryAfter?: string) => ((await tooMany(retryAfter)) as { result: unknown }).result
  assert.deepEqual(await tooMany('7'), {
    answered: true,
    code: 429,
    body: 'slow down',
    result: { status: 'retryable', error: 'HTTP 429: slow down', retryAfterMs: 7000 },
  })
  assert.deepEqual(await result('0'), { status: 'retryable', error: 'HTTP 429: slow down', retryAfterMs: 0 })
  assert.deepEqual(await result(' 120 '), { status: 'retryable', error: 'HTTP 429: slow down', retryAfterMs: 120_000 })
  assert.deepEqual(await result(), { status: 'retryable', error: 'HTTP 429: slow down' })
  assert.deepEqual(await result('soon'), { status: 'retryable', error: 'HTTP 429: slow down' })
})

test('Retry-After as an HTTP-date is the time from when the answer came, on the injected clock; a past date is 0', async () => {
  const result = async (retryAfter: string, clock?: ManualClock) =>
    ((await answered(new Response(null, { status: 429, headers: { 'Retry-After': retryAfter } }), clock)) as { result: unknown }).result
  assert.equal(new Date(START).toUTCString(), 'Tue, 14 Nov 2023 22:13:20 GMT')
  assert.deepEqual(await result('Tue, 14 Nov 2023 22:13:50 GMT'), { status: 'retryable', error: 'HTTP 429', retryAfterMs: 30_000 })
  assert.deepEqual(await result('Tue, 14 Nov 2023 22:13:00 GMT'), { status: 'retryable', error: 'HTTP 429', retryAfterMs: 0 })
  // The answer arrives 10 s after the request went out: the date is counted from then.
  const clock = createManualClock(START)
  const response = Promise.withResolvers<Response>()
  const { fetch } = fakeFetch(() => response.promise)
  const { state, done } = start(depsOf(fetch, clock))
  await clock.advance(10_000)
  response.resolve(new Response(null, { status: 429, headers: { 'Retry-After': 'Tue, 14 Nov 2023 22:13:50 GMT' } }))
  await done
  assert.deepEqual(state.outcome, {
    answered: true,
    code: 429,
    body: '',
    result: { status: 'retryable', error: 'HTTP 429', retryAfterMs: 20_000 },
  })
})

test('any other status is final: failed, rejected_by_endpoint, Retry-After ignored', async () => {
  assert.deepEqual(await answered(new Response('out of order sample', { status: 400, headers: { 'Retry-After': '5' } })), {
    answered: true,
    code: 400,
    body: 'out of order sample',
    result: { status: 'failed', error: 'HTTP 400: out of order sample', reason: 'rejected_by_endpoint' },
  })
  // 3xx too (fetch follows redirects itself, so one that reaches here is not one it could follow).
  for (const code of [401, 403, 404, 413, 302]) {
    assert.deepEqual(await answered(new Response(`no ${code}`, { status: code })), {
      answered: true,
      code,
      body: `no ${code}`,
      result: { status: 'failed', error: `HTTP ${code}: no ${code}`, reason: 'rejected_by_endpoint' },
    }, String(code))
  }
  assert.deepEqual(await answered(new Response(null, { status: 422 })), {
    answered: true,
    code: 422,
    body: '',
    result: { status: 'failed', error: 'HTTP 422', reason: 'rejected_by_endpoint' },
  })
})

test('the error body is kept to its first 1024 characters (UTF-16 code units, not bytes), otherwise as sent', async () => {
  assert.equal(MAX_ERROR_BODY, 1024)
  const long = await answered(new Response('x'.repeat(5000), { status: 400 }))
  assert.deepEqual(long, {
    answered: true,
    code: 400,
    body: 'x'.repeat(1024),
    result: { status: 'failed', error: `HTTP 400: ${'x'.repeat(1024)}`, reason: 'rejected_by_endpoint' },
  })
  const exact = await answered(new Response('y'.repeat(1024), { status: 500 }))
  assert.equal((exact as { body: string }).body, 'y'.repeat(1024))
  // Two UTF-8 bytes per character: 1024 characters are 2048 bytes.
  const wide = await answered(new Response('é'.repeat(1500), { status: 400 }))
  assert.equal((wide as { body: string }).body, 'é'.repeat(1024))
  // Not trimmed otherwise: Prometheus ends its error text with a newline, and it stays.
  const newline = await answered(new Response('out of order sample\n', { status: 400 }))
  assert.deepEqual(newline, {
    answered: true,
    code: 400,
    body: 'out of order sample\n',
    result: { status: 'failed', error: 'HTTP 400: out of order sample\n', reason: 'rejected_by_endpoint' },
  })
})

test('a fetch that fails is no answer: a connection error with its message (or the thrown value), the timer cleared', async () => {
  const clock = createManualClock()
  const refused = fakeFetch(() => Promise.reject(new TypeError('fetch failed: ECONNREFUSED')))
  assert.deepEqual(await postRequest(depsOf(refused.fetch, clock), REQUEST, new AbortController().signal), {
    answered: false,
    status: 'error',
    error: 'connection error: fetch failed: ECONNREFUSED',
  })
  assert.equal(clock.pending(), 0)
  const reset = fakeFetch(() => Promise.reject('socket hang up'))
  assert.deepEqual(await postRequest(depsOf(reset.fetch, clock), REQUEST, new AbortController().signal), {
    answered: false,
    status: 'error',
    error: 'connection error: socket hang up',
  })
  // Even a fetch that throws instead of rejecting.
  const throwing: HttpFetch = () => {
    throw new TypeError('Invalid URL')
  }
  assert.deepEqual(await postRequest(depsOf(throwing, clock), REQUEST, new AbortController().signal), {
    answered: false,
    status: 'error',
    error: 'connection error: Invalid URL',
  })
  assert.equal(clock.pending(), 0)
})

test('a body that fails to read is no answer either', async () => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.error(new TypeError('body stream broke'))
    },
  })
  assert.deepEqual(await answered(new Response(body, { status: 500 })), {
    answered: false,
    status: 'error',
    error: 'connection error: body stream broke',
  })
})

test('a fetch that does not answer times out when the clock passes the request timeout: its signal aborted, not a moment before', async () => {
  const clock = createManualClock()
  const { fetch, calls } = hangingFetch()
  const { state, done } = start(depsOf(fetch, clock))
  await clock.advance(TIMEOUT_MS - 1)
  assert.equal(calls.length, 1)
  assert.equal(calls[0]!.init.signal!.aborted, false)
  assert.equal(state.outcome, undefined)
  await clock.advance(1)
  await done
  assert.equal(calls[0]!.init.signal!.aborted, true)
  assert.deepEqual(state.outcome, { answered: false, status: 'timeout', error: 'timeout after 5 s' })
  assert.equal(clock.pending(), 0)
})

test('the deadline covers reading the body too: an answer whose body stalls times out', async () => {
  const clock = createManualClock()
  const { fetch, calls } = fakeFetch((call) => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('partial'))
        call.init.signal!.addEventListener('abort', () => controller.error(new DOMException(ABORTED, 'AbortError')), { once: true })
      },
    })
    return new Response(body, { status: 500 })
  })
  const { state, done } = start(depsOf(fetch, clock))
  await clock.advance(TIMEOUT_MS - 1)
  assert.equal(state.outcome, undefined)
  await clock.advance(1)
  await done
  assert.equal(calls[0]!.init.signal!.aborted, true)
  assert.deepEqual(state.outcome, { answered: false, status: 'timeout', error: 'timeout after 5 s' })
})

test("the caller's abort (shutdown) aborts the fetch at once: no answer, a connection error, not a timeout", async () => {
  const clock = createManualClock()
  const { fetch, calls } = hangingFetch()
  const caller = new AbortController()
  const { state, done } = start(depsOf(fetch, clock), caller.signal)
  await clock.advance(100)
  assert.equal(state.outcome, undefined)
  caller.abort()
  await done
  assert.equal(calls[0]!.init.signal!.aborted, true)
  assert.deepEqual(state.outcome, { answered: false, status: 'error', error: `connection error: ${ABORTED}` })
  assert.equal(clock.pending(), 0)
})

test('a caller already aborted gives fetch an aborted signal', async () => {
  const clock = createManualClock()
  const { fetch, calls } = hangingFetch()
  const caller = new AbortController()
  caller.abort()
  assert.deepEqual(await postRequest(depsOf(fetch, clock), REQUEST, caller.signal), {
    answered: false,
    status: 'error',
    error: `connection error: ${ABORTED}`,
  })
  assert.equal(calls[0]!.abortedAtCall, true)
  assert.equal(clock.pending(), 0)
})

test("once the answer is in, nothing of the request is left: no timer, and the caller's abort no longer reaches it", async () => {
  const clock = createManualClock()
  const { fetch, calls } = fakeFetch(() => new Response(null, { status: 204 }))
  const caller = new AbortController()
  const { state, done } = start(depsOf(fetch, clock), caller.signal)
  await done
  assert.deepEqual(state.outcome, { answered: true, code: 204, body: '', result: { status: 'ok' } })
  assert.equal(clock.pending(), 0)
  caller.abort()
  await clock.advance(TIMEOUT_MS * 2)
  await settle()
  assert.equal(calls[0]!.init.signal!.aborted, false)
})
