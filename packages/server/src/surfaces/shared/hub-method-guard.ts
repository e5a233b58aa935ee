import { HubException } from '@tidings/hub';
import { idProblem } from '../../ids.js';
import type { Logger } from '../../logger.js';

/** Sends a surface's own error event (`Error` on `/hubs/job-progress`, `onError` on YoutubeRag's `/hubs/progress`) to the caller. */
export type ReportError = (code: 'VALIDATION_ERROR' | 'INTERNAL_ERROR', message: string) => Promise<void>;

/**
 * A malformed id: the surface's error event for listeners, and a HubException so
 * the invocation itself fails with the same message. The connection is unharmed.
 */
export async function requireValidId(value: unknown, what: string, report: ReportError): Promise<string> {
  const problem = idProblem(value, what);
  if (problem === undefined) return value as string;
  await report('VALIDATION_ERROR', problem);
  throw new HubException(problem);
}

/**
 * Runs a hub method body; an unexpected failure is logged, reported to the caller
 * as INTERNAL_ERROR, and turned into a HubException with a message safe to show.
 */
export async function guardHubMethod<T>(
  logger: Logger,
  connectionId: string,
  method: string,
  report: ReportError,
  task: () => Promise<T>,
): Promise<T> {
  try {
    return await task();
  } catch (error) {
    if (error instanceof HubException) throw error;
    logger.error({ err: error, method, connectionId }, 'hub method failed');
    await report('INTERNAL_ERROR', `${method} failed on the server.`);
    throw new HubException(`${method} failed on the server.`);
  }
}
