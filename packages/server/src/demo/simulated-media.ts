import { createHash } from 'node:crypto';
import type { JsonValue } from '@tidings/jobs';

/** What the simulated pipeline pretends to know about a video. */
export interface SimulatedMedia {
  readonly title: string;
  readonly durationSeconds: number;
  readonly segmentCount: number;
}

/**
 * Made-up but stable facts about the video at `url` (the same URL always gives
 * the same duration and segment count): the demo has no downloader and no
 * Whisper, so these stand in for what they would report.
 */
export function simulatedMedia(url: string): SimulatedMedia {
  const digest = createHash('sha256').update(url).digest();
  const durationSeconds = 180 + (digest.readUInt16BE(0) % 540); // 3 to 12 minutes
  let id: string | null = null;
  try {
    const parsed = new URL(url);
    id = parsed.searchParams.get('v') ?? parsed.pathname.split('/').filter(Boolean).pop() ?? parsed.hostname;
  } catch {
    id = null;
  }
  return { title: `Simulated video ${id ?? digest.toString('hex', 0, 4)}`, durationSeconds, segmentCount: Math.ceil(durationSeconds / 6) };
}

/** The media facts a step was handed by the step before it, or worked out from the URL. */
export function mediaFor(input: JsonValue, previous: JsonValue): SimulatedMedia {
  const url = typeof input === 'object' && input !== null && !Array.isArray(input) && typeof input.url === 'string' ? input.url : '';
  const base = simulatedMedia(url);
  if (typeof previous !== 'object' || previous === null || Array.isArray(previous)) return base;
  return {
    title: typeof previous.title === 'string' ? previous.title : base.title,
    durationSeconds: typeof previous.durationSeconds === 'number' ? previous.durationSeconds : base.durationSeconds,
    segmentCount: typeof previous.segmentCount === 'number' ? previous.segmentCount : base.segmentCount,
  };
}

/**
 * The demo's failure on request: a video whose URL contains `fail` (any case)
 * fails during transcription, so people can see what a failed job looks like.
 */
export function failsOnRequest(input: JsonValue): boolean {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && typeof input.url === 'string' && /fail/i.test(input.url);
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
}
