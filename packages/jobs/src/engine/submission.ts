import type { JobSpec } from './job-state.js';

/** At most this many tags per job, as Trigger.dev allows. */
export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 128;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/**
 * Checks what a caller may set on a new job beyond its input: priority,
 * tags, idempotency key and delay. Throws a TypeError or RangeError naming the
 * field, before anything is created.
 */
export function validateSubmission(spec: JobSpec): void {
  if (spec.priority !== undefined && !Number.isInteger(spec.priority)) throw new TypeError(`Priority must be an integer, not ${String(spec.priority)}.`);
  if (spec.tags !== undefined) {
    if (!Array.isArray(spec.tags)) throw new TypeError('tags must be an array of strings.');
    if (new Set(spec.tags).size > MAX_TAGS) throw new RangeError(`A job has at most ${MAX_TAGS} tags, not ${new Set(spec.tags).size}.`);
    for (const tag of spec.tags) {
      if (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_TAG_LENGTH) {
        throw new RangeError(`Each tag must be a string of 1–${MAX_TAG_LENGTH} characters, not ${JSON.stringify(tag)}.`);
      }
    }
  }
  const key = spec.idempotencyKey;
  if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
    throw new RangeError(`idempotencyKey must be a string of 1–${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`);
  }
  const delay = spec.delayMs;
  if (delay !== undefined && (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0)) {
    throw new RangeError(`delayMs must be a non-negative integer, not ${String(delay)}.`);
  }
}
