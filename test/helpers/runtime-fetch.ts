// The HttpFetch of the runtime the tests run under (Bun's `tls` init extension, or Deno's
// createHttpClient). The Deno adapter is loaded through a computed specifier, so that tsc (with
// bun-types) does not type-check Deno code, and Deno does not type-check Bun code.
import type { HttpFetch } from '../../src/runtime/http-port.ts'
import { bunHttpFetch } from '../../src/runtime/bun-http-fetch.ts'

export const IS_DENO = 'Deno' in globalThis

const denoAdapter = '../../src/runtime/deno.ts'

export const runtimeHttpFetch: HttpFetch = IS_DENO
  ? ((await import(denoAdapter)) as { denoHttpFetch: HttpFetch }).denoHttpFetch
  : bunHttpFetch
