import { type Job, type JobEngine, type JobOutcome, type JobProcessor, PermanentJobError, type ProcessorContext, type ProcessorOptions } from '@tidings/jobs';
import { type SimulatedMedia, failsOnRequest, formatDuration, mediaFor } from './simulated-media.js';
import { SimulatedWork } from './simulated-work.js';

/** Processors by job type, with their options. */
export type ProcessorSet = Readonly<Record<string, { readonly processor: JobProcessor; readonly options?: ProcessorOptions }>>;

/** Defines the processors of `set` whose job types `engine` has none for yet (processors given to the server win over a surface's demo ones). */
export function defineMissing(engine: JobEngine, set: ProcessorSet): void {
  for (const [type, { processor, options }] of Object.entries(set)) {
    if (!engine.types.includes(type)) engine.define(type, processor, options);
  }
}

interface SimulatedStage {
  readonly stage: string;
  readonly percent: number;
  readonly message: (media: SimulatedMedia) => string;
  /** Base duration of the stage at DEMO_SPEED 1. */
  readonly ms: number;
  /** Progress climbs to this in `steps` small steps during the stage. */
  readonly rampTo?: number;
  readonly steps?: number;
  /** A video whose URL asks to fail (`failsOnRequest`) fails halfway through this stage. */
  readonly failsHere?: boolean;
}

const INGESTION_STAGES: readonly SimulatedStage[] = [
  { stage: 'Validating video URL', percent: 0, message: () => 'Checking the video URL', ms: 200 },
  { stage: 'Fetching video metadata', percent: 20, message: () => 'Reading title and duration', ms: 600 },
  { stage: 'Downloading video', percent: 50, message: (m) => `Downloading ${m.title}`, ms: 1200, rampTo: 95, steps: 6 },
];

/** The video pipeline's "Transcription Job Flow", word for word. */
const TRANSCRIPTION_STAGES: readonly SimulatedStage[] = [
  { stage: 'Starting transcription process', percent: 0, message: () => 'Initializing transcription job', ms: 300 },
  { stage: 'Extracting audio', percent: 10, message: () => 'Downloading and extracting audio from video', ms: 1500, rampTo: 28, steps: 6 },
  { stage: 'Audio extraction completed', percent: 30, message: (m) => `Audio extracted successfully. Duration: ${formatDuration(m.durationSeconds)}`, ms: 300 },
  { stage: 'Transcribing audio', percent: 40, message: () => 'Running Whisper transcription on audio file', ms: 3000, rampTo: 68, steps: 14, failsHere: true },
  { stage: 'Transcription completed', percent: 70, message: (m) => `Transcribed ${m.segmentCount} segments`, ms: 300 },
  { stage: 'Saving transcript segments', percent: 85, message: () => 'Persisting transcript segments to database', ms: 1000 },
];

const EMBEDDING_BATCH = 16;

/** Where a resumed job picks up: the index of its first unfinished stage (or batch). */
function resumePoint(job: Readonly<Job>): number {
  const checkpoint = job.checkpoint;
  if (typeof checkpoint === 'object' && checkpoint !== null && !Array.isArray(checkpoint) && typeof checkpoint.next === 'number') return checkpoint.next;
  return 0;
}

/** Runs the stages from the job's checkpoint on, saving a checkpoint after each. */
async function runStages(stages: readonly SimulatedStage[], job: Readonly<Job>, ctx: ProcessorContext, media: SimulatedMedia, work: SimulatedWork) {
  const failing = failsOnRequest(job.input);
  for (let i = resumePoint(job); i < stages.length; i++) {
    const s = stages[i]!;
    await ctx.stage(s.stage, s.percent, s.message(media));
    if (s.rampTo !== undefined && s.steps) {
      for (let k = 1; k <= s.steps; k++) {
        if (failing && s.failsHere && k > s.steps / 2) {
          // Permanent: retrying a URL that asks to fail would only fail again.
          throw new PermanentJobError(`Simulated failure in '${s.stage}': the video URL contains "fail" (the demo fails such videos on request).`);
        }
        await work.wait(s.ms / s.steps, ctx.signal);
        await ctx.progress(s.percent + ((s.rampTo - s.percent) * k) / s.steps, undefined, { stageProgress: (100 * k) / s.steps });
      }
    } else {
      await work.wait(s.ms, ctx.signal);
    }
    await ctx.checkpoint({ next: i + 1 });
  }
}

/** Pretends to validate, inspect and download the video (timers, no network). */
export function simulatedVideoIngestion(work: SimulatedWork): JobProcessor {
  return async (job, ctx): Promise<JobOutcome> => {
    const media = mediaFor(job.input, null);
    await runStages(INGESTION_STAGES, job, ctx, media, work);
    return {
      message: `Video ingested: ${media.title} (${formatDuration(media.durationSeconds)})`,
      result: { title: media.title, durationSeconds: media.durationSeconds, segmentCount: media.segmentCount },
    };
  };
}

/** The transcription flow on timers: the stage names and messages are the pipeline's, the work is simulated. */
export function simulatedTranscription(work: SimulatedWork): JobProcessor {
  return async (job, ctx): Promise<JobOutcome> => {
    const media = mediaFor(job.input, ctx.previousResult);
    await runStages(TRANSCRIPTION_STAGES, job, ctx, media, work);
    return {
      message: `Successfully transcribed ${media.segmentCount} segments`,
      result: { title: media.title, durationSeconds: media.durationSeconds, segmentCount: media.segmentCount },
    };
  };
}

/** The embedding flow on timers: 0, 10, then 10–90 by batch, then done. */
export function simulatedEmbeddingGeneration(work: SimulatedWork): JobProcessor {
  return async (job, ctx): Promise<JobOutcome> => {
    const { segmentCount: total } = mediaFor(job.input, ctx.previousResult);
    let processed = Math.min(resumePoint(job), total);
    if (processed === 0) {
      await ctx.stage('Starting embedding generation', 0, 'Initializing embedding job');
      await work.wait(300, ctx.signal);
      await ctx.stage('Loading segments', 10, `Loaded ${total} segments for processing`);
      await work.wait(500, ctx.signal);
    }
    await ctx.stage('Generating embeddings', 10 + (80 * processed) / total, `Processed ${processed}/${total} segments`);
    const batches = Math.ceil(total / EMBEDDING_BATCH);
    while (processed < total) {
      await work.wait(3500 / batches, ctx.signal);
      processed = Math.min(total, processed + EMBEDDING_BATCH);
      await ctx.progress(10 + (80 * processed) / total, `Processed ${processed}/${total} segments`, { stageProgress: (100 * processed) / total });
      await ctx.checkpoint({ next: processed });
    }
    return { message: 'Successfully generated embeddings', result: { embeddingCount: total } };
  };
}

/**
 * The video pipeline, simulated: `speed` scales every duration (1 ≈ 13 s for
 * the whole pipeline). Each retries twice with exponential backoff and
 * resumes from its checkpoint after a restart.
 */
export function demoProcessors(options: { readonly speed: number }): ProcessorSet {
  const work = new SimulatedWork(options.speed);
  const common = { maxRetries: 2, backoff: { type: 'exponential', delayMs: 1000 / options.speed, maxDelayMs: 30_000 } } as const;
  return {
    VideoIngestion: { processor: simulatedVideoIngestion(work), options: { ...common, stages: INGESTION_STAGES.map((s) => s.stage) } },
    Transcription: { processor: simulatedTranscription(work), options: { ...common, stages: TRANSCRIPTION_STAGES.map((s) => s.stage) } },
    EmbeddingGeneration: {
      processor: simulatedEmbeddingGeneration(work),
      options: { ...common, stages: ['Starting embedding generation', 'Loading segments', 'Generating embeddings'] },
    },
  };
}
