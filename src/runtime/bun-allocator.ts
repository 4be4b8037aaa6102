// Bun's allocator (its fork of mimalloc) gives freed pages back to the system 100 ms after they
// fall free (its purge delay). The relay frees and reuses the same few megabytes (request bodies,
// their text, encoded batches) every few milliseconds under load, so with that delay most of them
// are given back and faulted in again: on this project's benchmark machine (a virtual machine,
// where a page fault is costly) a quarter of the stdout pipeline's CPU went to page faults and the
// allocator's purge thread. A delay of 1 s keeps the pages that load reuses; memory that stays
// free goes back a second later, and the memory limiter's collections (Bun.gc(true)) purge at once
// when a budget is at stake.
//
// mimalloc reads its options from the environment when the process starts, so the relay starts
// itself again (execve: same pid, same open files) with MIMALLOC_PURGE_DELAY set, before any of
// its own modules is evaluated (src/entry/bun.ts). A MIMALLOC_PURGE_DELAY the user set is left
// as it is, and nothing is restarted.

/** The purge delay the relay runs with unless the environment names one, in ms. */
export const PURGE_DELAY_MS = 1000

/** The environment variable mimalloc reads (and that marks the process as already restarted). */
export const PURGE_DELAY_VARIABLE = 'MIMALLOC_PURGE_DELAY'

/**
 * Replaces the process with itself under the relay's allocator settings, unless they are set
 * already; returns only when it did not (settings present, or execve unavailable or refused).
 */
export function restartWithAllocatorSettings(): void {
  if (process.env[PURGE_DELAY_VARIABLE] !== undefined || typeof process.execve !== 'function') return
  // A compiled binary's argv[1] is its embedded script (/$bunfs/root/…), not an argument to pass on.
  const compiled = process.argv[1]?.startsWith('/$bunfs/') === true
  const args = [process.argv0, ...process.argv.slice(compiled ? 2 : 1)]
  try {
    process.execve(process.execPath, args, { ...process.env, [PURGE_DELAY_VARIABLE]: String(PURGE_DELAY_MS) })
  } catch {
    // Run on with the allocator's defaults: slower under load, otherwise the same.
  }
}
