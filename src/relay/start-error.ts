// Why the relay cannot start (or a reload cannot apply): a message for the operator, logged as it
// is, with no stack (main.ts exits 1 on it). Any other error is a bug.
export class StartError extends Error {}

/** An error of a start step as a StartError with the same message. */
export function toStartError(err: unknown): StartError {
  return err instanceof StartError ? err : new StartError(err instanceof Error ? err.message : String(err))
}

/** Runs a step of building the relay; whatever it throws becomes a StartError with the same message. */
export function asStartError<T>(step: () => T): T {
  try {
    return step()
  } catch (err) {
    throw toStartError(err)
  }
}
