import { type Job, type JobEvent, JobProgressClient, isTerminalStatus, statusAfter } from '@tidings/client';
import { coalescedRead } from '../coalesced-read.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { JsonLines, PlainLines } from '../output/plain-lines.js';
import { ProgressBars } from '../output/progress-bars.js';
import { type WatchDisplay, summaryOf } from '../output/watch-display.js';
import { type ServiceOptions, apiFor, unavailable } from '../service-options.js';

export interface WatchOptions extends ServiceOptions {
  /** Event lines even on a terminal. */
  readonly plain?: boolean;
  /** Each event as a JSON line. */
  readonly json?: boolean;
}

export interface Io {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  /** Resolves when the user interrupts (Ctrl-C). */
  readonly interrupted?: Promise<void>;
}

const OUTCOME: Record<string, ExitCode> = { Completed: EXIT.ok, Failed: EXIT.failed, Cancelled: EXIT.cancelled };

/**
 * `tidings watch <jobId>`: follows the job until it finishes — bars per stage
 * on a terminal, one line per event otherwise — through reconnects and
 * server restarts. Resolves with the exit code: 0 Completed, 1 Failed, 3 Cancelled.
 */
export async function watchCommand(jobId: string, options: WatchOptions, io: Io): Promise<ExitCode> {
  const api = apiFor(options);
  let job: Job;
  try {
    job = await api.getJob(jobId); // fails fast on a wrong URL, token or id
  } catch (error) {
    throw unavailable(error, options, `Job ${jobId}`);
  }
  const display: WatchDisplay = options.json
    ? new JsonLines(io.stdout, io.stderr)
    : io.stdout.isTTY && !options.plain
      ? new ProgressBars(io.stdout, `${job.jobType} ${job.jobId}`)
      : new PlainLines(io.stdout, io.stderr);
  display.stages?.(job);

  const client = new JobProgressClient({
    baseUrl: options.url,
    accessToken: options.token,
    logLevel: 'error',
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message) => io.stderr.write(`${message}\n`) },
  });
  client.onReconnecting(() => display.note('Connection lost; reconnecting…'));
  client.onReconnected(() => display.note('Reconnected; catching up.'));

  // Stages are re-read as the job moves (one read at a time), for a display that shows them; the last shown is read after the job ended.
  const showStages = display.stages?.bind(display);
  const readStages = showStages ? coalescedRead(() => api.getJob(jobId).then(showStages, () => undefined)) : () => Promise.resolve();

  try {
    return await new Promise<ExitCode>((resolve, reject) => {
      const onEvent = (event: JobEvent) => {
        display.event(event);
        const status = statusAfter(event);
        if (!isTerminalStatus(status)) {
          void readStages();
          return;
        }
        void readStages().then(() => {
          display.finish(summaryOf(event));
          resolve(OUTCOME[status]!);
        });
      };
      const watch = client.watchJob(jobId, onEvent, { onOutput: (item) => display.output(item) });
      watch.ready.catch((error: unknown) => reject(unavailable(error, options, `Job ${jobId}`)));
      client.start().catch((error: unknown) => reject(unavailable(error, options)));
      io.interrupted?.then(() => {
        display.close?.();
        display.note('Interrupted.');
        resolve(EXIT.interrupted);
      });
    });
  } finally {
    display.close?.();
    await client.stop();
  }
}
