import { type Job, type JobDelta, type JobEvent, type JobEventKind, type JobOutputItem, withCurrentFields, withDelta } from '@tidings/jobs';

/**
 * A job event as the Redis job store keeps it in a job's history and in the
 * cluster feed: the whole job, or — for a delta event kind (progress, stage,
 * output) — only what changed (a JobDelta) and the sequence of the whole
 * entry it applies to (`base`; 0 when the job has had no whole event, then
 * the job's stored state is the base). A progress tick so writes a hundred
 * bytes instead of the job's input and checkpoint, and the feed's readers
 * parse that much.
 */
export type StoredEvent = StoredWhole | StoredDelta;
export type StoredWhole = StoredEventHead & { readonly job: Job; readonly delta?: undefined };
export type StoredDelta = StoredEventHead & { readonly job?: undefined; readonly delta: JobDelta; readonly base: number };

interface StoredEventHead {
  readonly jobId: string;
  readonly sequence: number;
  readonly kind: JobEventKind;
  readonly at: string;
  readonly output?: JobOutputItem;
}

/** A stored job with the sequence Redis holds (the JSON's own copy may lag). */
export function parseJob(data: string, sequence: string | number): Job {
  const job = withCurrentFields(JSON.parse(data) as Job);
  job.lastSequence = Number(sequence);
  return job;
}

/** The job right after a stored event, given the job as of its base when it is a delta. */
export function eventWithBase(stored: StoredEvent, base: Job | undefined): JobEvent {
  let job: Job;
  if (stored.job) job = stored.job;
  else if (base) job = withDelta(base, stored.delta, stored.sequence);
  else throw new Error(`Job '${stored.jobId}' has no state to rebuild its event ${stored.sequence} from.`);
  const event: JobEvent = { jobId: stored.jobId, sequence: stored.sequence, kind: stored.kind, at: stored.at, job };
  return stored.output === undefined ? event : { ...event, output: stored.output };
}

/**
 * Reads a history or feed entry's fields (`[field, value, …]`, as the append
 * script writes them: k, at, d, o for output, b for a delta's base; j and s
 * in the feed). Entries without `b` are whole (every entry written before
 * deltas were).
 */
export function storedEventFromFields(jobId: string, sequence: number, flat: readonly string[]): StoredEvent {
  let kind = '';
  let at = '';
  let data = '';
  let output: string | undefined;
  let base: string | undefined;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const value = flat[i + 1]!;
    switch (flat[i]) {
      case 'k':
        kind = value;
        break;
      case 'at':
        at = value;
        break;
      case 'd':
        data = value;
        break;
      case 'o':
        output = value;
        break;
      case 'b':
        base = value;
        break;
    }
  }
  const parsedOutput = output === undefined ? undefined : (JSON.parse(output) as JobOutputItem);
  return base === undefined
    ? { jobId, sequence, kind: kind as JobEventKind, at, output: parsedOutput, job: parseJob(data, sequence) }
    : { jobId, sequence, kind: kind as JobEventKind, at, output: parsedOutput, delta: JSON.parse(data) as JobDelta, base: Number(base) };
}

/** Reads a feed entry's fields (job id `j` and sequence `s` among them); undefined when those are missing. */
export function eventFromFeedEntry(flat: readonly string[]): StoredEvent | undefined {
  let jobId: string | undefined;
  let sequence = Number.NaN;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (flat[i] === 'j') jobId = flat[i + 1];
    else if (flat[i] === 's') sequence = Number(flat[i + 1]);
  }
  return jobId === undefined || !Number.isInteger(sequence) ? undefined : storedEventFromFields(jobId, sequence, flat);
}
