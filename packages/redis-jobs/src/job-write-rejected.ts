import type { JobLogger } from '@tidings/jobs';

/**
 * Why the store refused a write: the attempt that made it was superseded
 * (another worker took the job over, or it was retried), or the job was
 * already settled (completed, failed or cancelled — typically cancelled from
 * another node while this attempt was still reporting).
 */
export type RejectionReason = 'stale' | 'settled';

/**
 * A write of a job's state that another process has moved past. Nothing was
 * stored; the job's state and history are as the other process left them.
 */
export class JobWriteRejectedError extends Error {
  override readonly name = 'JobWriteRejectedError';

  constructor(
    readonly jobId: string,
    readonly reason: RejectionReason,
    /** The job's status in the store. */
    readonly storedStatus: string,
  ) {
    super(
      reason === 'stale'
        ? `Job '${jobId}' has moved on to a newer attempt; this attempt's write was dropped.`
        : `Job '${jobId}' is already ${storedStatus}; the write was dropped.`,
    );
  }
}

function isRejection(data: object): boolean {
  return (data as { err?: unknown }).err instanceof JobWriteRejectedError;
}

/**
 * The engine logs a failed store write as an error; a fenced write is the
 * expected end of an attempt overtaken elsewhere (cancelled from another node,
 * taken over), so it is logged at debug level instead.
 */
export function quietRejections(logger: JobLogger): JobLogger {
  return {
    debug: (data: object, message?: string) => logger.debug(data, message),
    info: (data: object, message?: string) => logger.info(data, message),
    warn: (data: object, message?: string) => (isRejection(data) ? logger.debug(data, message) : logger.warn(data, message)),
    error: (data: object, message?: string) => (isRejection(data) ? logger.debug(data, message) : logger.error(data, message)),
  };
}
