import type { Job, JobEvent, JobOutput } from '@tidings/client';

/** How `tidings watch` shows a job as it moves. */
export interface WatchDisplay {
  /** One of the job's events, in order. */
  event(event: JobEvent): void;
  /** An output item the job wrote, in order with its events. */
  output(item: JobOutput): void;
  /** The job re-read over REST, with its stages (hub events carry only the current one); displays without it are spared the reads. */
  stages?(job: Job): void;
  /** Something about the connection, not the job. */
  note(text: string): void;
  /** The job finished: a last line, and the display is done. */
  finish(summary: string): void;
  /** The command ends without a finish (interrupted, or an error): stop drawing. Idempotent. */
  close?(): void;
}

/** What an event says in words: status, progress (when it carries one), stage and message. */
export function describeEvent(event: JobEvent): { status: string; progress: number | null; stage: string | null; message: string | null } {
  switch (event.type) {
    case 'JobProgressUpdate': {
      const u = event.payload;
      return { status: u.status, progress: u.progress, stage: u.currentStage, message: u.errorMessage ?? u.statusMessage };
    }
    case 'JobCompleted':
      return { status: 'Completed', progress: 100, stage: null, message: event.payload.message };
    case 'JobFailed':
      return { status: 'Failed', progress: null, stage: null, message: event.payload.error };
  }
}

/** How a finished job is summed up on the last line. */
export function summaryOf(event: JobEvent): string {
  const { status, message } = describeEvent(event);
  return `${status}${message ? `: ${message}` : ''}`;
}

/** An output item as one line of text: strings as they are, anything else as JSON; the marker where output was cut says so. */
export function outputText(item: JobOutput): string {
  const text = typeof item.data === 'string' ? item.data : JSON.stringify(item.data);
  return item.truncated ? `[output truncated] ${text}` : text;
}
