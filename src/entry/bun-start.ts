// The relay under Bun: its runtime adapter, main(), and the exit code (src/entry/bun.ts loads this
// once the allocator's settings are in place).
import { main } from '../main.ts'
import { createBunRuntime } from '../runtime/bun.ts'

export function startBun(): void {
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
}
