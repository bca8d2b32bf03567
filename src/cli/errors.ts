/** An error meant for the user: printed as one line (or a few), never with a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes: 0 all good, 2 an expectation or invariant failed, 1 an error. */
export const EXIT = { ok: 0, error: 1, failed: 2 } as const;
