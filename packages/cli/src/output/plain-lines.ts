import type { JobEvent, JobOutput } from '@tidings/client';
import { type WatchDisplay, describeEvent, outputText } from './watch-display.js';

/**
 * One line per event, for pipes and logs: `#12 Running 42% Transcribing audio - message`
 * (each line names its stage, so no stages are read).
 * Connection notes go to stderr so stdout holds only the job's lines.
 */
export class PlainLines implements WatchDisplay {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly err: NodeJS.WritableStream,
  ) {}

  event(event: JobEvent): void {
    const { status, progress, stage, message } = describeEvent(event);
    const parts = [`#${event.sequence}`, status, progress === null ? null : `${Math.round(progress)}%`, stage, message && stage ? `- ${message}` : message];
    this.out.write(`${parts.filter((p) => p !== null && p !== '').join(' ')}\n`);
  }

  /** `#13 [log] the line`: the job's output, between its event lines in sequence order. */
  output(item: JobOutput): void {
    this.out.write(`#${item.sequence} [${item.stream}] ${outputText(item)}\n`);
  }

  note(text: string): void {
    this.err.write(`${text}\n`);
  }

  finish(summary: string): void {
    this.out.write(`${summary}\n`);
  }
}

/** Each event as a JSON line (`{type, jobId, sequence, payload}`), for programs. */
export class JsonLines implements WatchDisplay {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly err: NodeJS.WritableStream,
  ) {}

  event(event: JobEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }

  output(item: JobOutput): void {
    this.out.write(`${JSON.stringify({ type: 'JobOutput', jobId: item.jobId, sequence: item.sequence, payload: item })}\n`);
  }

  note(text: string): void {
    this.err.write(`${text}\n`);
  }

  finish(_summary: string): void {}
}
