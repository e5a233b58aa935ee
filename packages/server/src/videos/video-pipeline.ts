import { randomUUID } from 'node:crypto';
import { type Job, type JobEngine, JobPriority, type JsonObject } from '@tidings/jobs';
import type { VideoProgressUpdate } from '@tidings/contract';
import { videoProgress } from './video-progress.js';

export const PIPELINE_TYPE = 'VideoProcessing';

/** The steps of the video pipeline, their job types and shares of the overall progress. */
export const PIPELINE_STEPS = [
  { name: 'Video ingestion', type: 'VideoIngestion', weight: 1 },
  { name: 'Transcription', type: 'Transcription', weight: 3 },
  { name: 'Embedding generation', type: 'EmbeddingGeneration', weight: 2 },
] as const;

export interface IngestRequest {
  readonly url: string;
  readonly ownerId: string | null;
  readonly priority: number;
  readonly title?: string;
  /** Extra metadata for the pipeline and its steps (the request's `traceparent`, when traced). */
  readonly metadata?: JsonObject;
  readonly tags?: readonly string[];
}

export interface IngestResult {
  readonly videoId: string;
  readonly pipeline: Job;
  readonly steps: readonly Job[];
}

/**
 * Videos as the job-progress service sees them: each ingested URL becomes a video
 * id and a pipeline job (a flow: ingestion → transcription → embedding
 * generation) whose subject is the video id.
 */
export class VideoPipeline {
  constructor(private readonly engine: JobEngine) {}

  async ingest(request: IngestRequest): Promise<IngestResult> {
    const videoId = randomUUID();
    const metadata = { ...request.metadata, videoId, url: request.url, ...(request.title ? { title: request.title } : {}) };
    const { parent, children } = await this.engine.enqueueFlow({
      type: PIPELINE_TYPE,
      ownerId: request.ownerId,
      priority: request.priority,
      subject: videoId,
      input: { url: request.url },
      ...(request.tags ? { tags: request.tags } : {}),
      metadata,
      steps: PIPELINE_STEPS.map((s) => ({ ...s, input: { url: request.url } })),
    });
    return { videoId, pipeline: parent, steps: children };
  }

  /** The pipeline job of a video, if there is one. */
  async pipelineOf(videoId: string): Promise<Job | undefined> {
    const [pipeline] = await this.engine.list({ subject: videoId, parentId: null, type: PIPELINE_TYPE, limit: 1 });
    return pipeline;
  }

  /** The video's progress given its pipeline job's state. */
  async progress(pipeline: Job): Promise<VideoProgressUpdate> {
    return videoProgress(pipeline, await this.engine.children(pipeline.id));
  }
}

export const PRIORITY_NAMES = Object.keys(JobPriority) as (keyof typeof JobPriority)[];

/** A request's priority: 0–3 or Low/Normal/High/Critical (any case); undefined is Normal. */
export function parsePriority(value: unknown): number | undefined {
  if (value === undefined || value === null) return JobPriority.Normal;
  if (typeof value === 'number') return Object.values<number>(JobPriority).includes(value) ? value : undefined;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed)) return parsePriority(Number(trimmed));
    const name = PRIORITY_NAMES.find((n) => n.toLowerCase() === trimmed.toLowerCase());
    return name === undefined ? undefined : JobPriority[name];
  }
  return undefined;
}
