export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
  constructor(readonly jobId: string) {
    super(`Job '${jobId}' was not found.`);
  }
}

/** The job is in a state that does not allow the operation (cancelling a completed job, say). */
export class JobStateError extends Error {
  override readonly name = 'JobStateError';
}

/**
 * Thrown by a processor for a failure that retrying cannot fix (bad input, say):
 * no automatic retries, and `canRetry` is false.
 */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

/** The reason a job's signal is aborted when someone cancels it. */
export class JobCancelledError extends Error {
  override readonly name = 'JobCancelledError';
  constructor(message = 'The job was cancelled.') {
    super(message);
  }
}

/** The reason a job's signal is aborted when the engine shuts down: save a checkpoint and return. */
export class JobInterruptedError extends Error {
  override readonly name = 'JobInterruptedError';
  constructor(message = 'The job was interrupted by a shutdown.') {
    super(message);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : 'Unknown error';
}
