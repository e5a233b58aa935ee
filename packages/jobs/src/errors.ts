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

/** `enqueue` was given a job type with no processor here; nothing was created. */
export class UnknownJobTypeError extends Error {
  override readonly name = 'UnknownJobTypeError';
  constructor(
    readonly type: string,
    /** The types this engine has processors for, sorted. */
    readonly knownTypes: readonly string[],
  ) {
    super(`No processor is defined for job type '${type}'. ${knownTypes.length > 0 ? `Known types: ${knownTypes.join(', ')}.` : 'No job types are registered.'}`);
  }
}

/** One way the input broke its type's schema (the shape Ajv reports). */
export interface InputProblem {
  /** JSON Pointer into the input ('' for the input itself). */
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** The input of a job does not meet its type's schema; nothing was created. */
export class JobInputError extends Error {
  override readonly name = 'JobInputError';
  constructor(
    readonly type: string,
    message: string,
    /** Every problem Ajv found, for callers that show them field by field. */
    readonly problems: readonly InputProblem[],
  ) {
    super(`Invalid input for job type '${type}': ${message}`);
  }
}

/** The reason an attempt's signal is aborted when it runs past its type's `timeoutMs`: the attempt fails (and retries, if it may). */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`The attempt timed out after ${timeoutMs} ms.`);
  }
}
