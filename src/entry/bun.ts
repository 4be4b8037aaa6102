// Entry point of `bun run` and of the compiled binary (`bun build --compile`).
import { main } from '../main.ts'
import { createBunRuntime } from '../runtime/bun.ts'

const runtime = createBunRuntime()
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
