import type { IngestVideoRequest, IngestVideoResponse } from '@tidings/client';
import { type ServiceOptions, apiFor, unavailable } from '../service-options.js';

export interface IngestOptions extends ServiceOptions {
  readonly title?: string;
  readonly priority?: IngestVideoRequest['priority'];
  readonly user?: string;
  readonly json?: boolean;
}

/**
 * `tidings ingest <url>`: starts a video's pipeline. On a terminal it says
 * what to do next; piped, it prints only the job id (`JOB=$(tidings ingest …)`).
 */
export async function ingestCommand(url: string, options: IngestOptions, out: NodeJS.WritableStream & { readonly isTTY?: boolean }): Promise<IngestVideoResponse> {
  let response: IngestVideoResponse;
  try {
    response = await apiFor(options).ingestVideo({
      url,
      ...(options.title ? { title: options.title } : {}),
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
      ...(options.user ? { userId: options.user } : {}),
    });
  } catch (error) {
    throw unavailable(error, options);
  }
  if (options.json) out.write(`${JSON.stringify(response, null, 2)}\n`);
  else if (out.isTTY) out.write(`Ingestion started: job ${response.jobId} (video ${response.videoId})\nFollow it with: tidings watch ${response.jobId}\n`);
  else out.write(`${response.jobId}\n`);
  return response;
}
