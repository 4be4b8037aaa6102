// Entry point under Deno: `deno task start` (deno run src/entry/deno.ts).
import { main } from '../main.ts'
import { createDenoRuntime } from '../runtime/deno.ts'

const runtime = createDenoRuntime()
main(runtime).then(
  (code) => runtime.exit(code),
  (err: unknown) => {
    runtime.writeStderr(
      `${
        JSON.stringify({
          ts: new Date().toISOString(),
          level: 'error',
          msg: 'fatal error',
          error: err instanceof Error ? err.stack ?? err.message : String(err),
        })
      }\n`,
    )
    runtime.exit(1)
  },
)
