import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FetchUrlGuard } from '../http/fetch-url-guard.js';

/** The input of a `VideoProcessing` job submitted through `POST /api/v1/jobs`: what the ingest route's body says of the video. */
export const VIDEO_PROCESSING_INPUT = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL of the video' }),
    title: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);

/** Why `value` is not a video URL we accept, or undefined. */
export function videoUrlProblem(value: string, guard: FetchUrlGuard): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return `url must be an absolute http(s) URL; '${value.slice(0, 100)}' is not a URL.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `url must use http or https, not ${url.protocol.slice(0, -1)}.`;
  if (!url.hostname) return 'url must name a host.';
  return guard.problem(url, 'url');
}

/**
 * The video input, or why it is refused: checked strictly against
 * VIDEO_PROCESSING_INPUT (no coercion, no unknown properties), then the URL
 * guard, as the ingest route checks its body.
 */
export function parseVideoInput(input: unknown, guard: FetchUrlGuard): { readonly url: string; readonly title?: string } | { readonly problem: string } {
  const first = Value.Errors(VIDEO_PROCESSING_INPUT, input).First();
  if (first) return { problem: `input${first.path} ${first.message.charAt(0).toLowerCase()}${first.message.slice(1)}` };
  const video = input as { url: string; title?: string };
  const problem = videoUrlProblem(video.url, guard);
  return problem ? { problem: `input/${problem}` } : { url: video.url.trim(), ...(video.title !== undefined ? { title: video.title } : {}) };
}
