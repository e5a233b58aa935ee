/** What `tidings` exits with (documented in the README). */
export const EXIT = {
  /** Done; for `watch`, the job completed. */
  ok: 0,
  /** `watch`: the job failed. */
  failed: 1,
  /** Bad command line. */
  usage: 2,
  /** `watch`: the job was cancelled. */
  cancelled: 3,
  /** The service cannot be reached, refused the token, or does not know the job. */
  unavailable: 4,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with `code`, its message printed as is. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    readonly code: ExitCode,
  ) {
    super(message);
  }
}
