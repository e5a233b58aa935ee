/** The real service for client-side tests, and what its history says a subscriber should have seen. */
import { type JobEvent, TidingsApi, eventFromHistory } from '../../src/index.js';

export { startService, gatedDemo, tempDir, SEED_VIDEO_URL, type RunningService } from '../../../server/test/support/service.js';
export { freePort } from '../../../server/test/support/process.js';
export { waitFor, delay, within } from '../../../hub/test/support/wait.js';

/** Every stored event of the job, as hub events. */
export async function historyAsEvents(baseUrl: string, jobId: string, token?: string): Promise<JobEvent[]> {
  const api = new TidingsApi({ baseUrl, accessToken: token });
  const events: JobEvent[] = [];
  for (;;) {
    const page = await api.getJobEvents(jobId, events.at(-1)?.sequence ?? 0, 1000);
    events.push(...page.events.map(eventFromHistory));
    if (page.events.length === 0 || events.at(-1)!.sequence >= page.lastSequence) return events;
  }
}

export async function ingest(baseUrl: string, url: string, userId = 'client-test'): Promise<{ jobId: string; videoId: string }> {
  return new TidingsApi({ baseUrl }).ingestVideo({ url, userId });
}

/** Reads the job's last sequence straight from the service. */
export async function lastSequenceOf(baseUrl: string, jobId: string): Promise<number> {
  return (await new TidingsApi({ baseUrl }).getJob(jobId)).sequence;
}

/** A logger that keeps what it is told, for failure messages. */
export function memoryLogger(): { lines: string[]; debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, ...details: unknown[]) => lines.push(`${level} ${message} ${details.map(String).join(' ')}`);
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}
