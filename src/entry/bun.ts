// Entry point of `bun run` and of the compiled binary (`bun build --compile`). The allocator's
// settings come first (runtime/bun-allocator.ts: the process may start itself again with them),
// then the relay's modules are loaded: a dynamic import, so nothing of them is evaluated twice.
import { restartWithAllocatorSettings } from '../runtime/bun-allocator.ts'

restartWithAllocatorSettings()
const { startBun } = await import('./bun-start.ts')
startBun()
