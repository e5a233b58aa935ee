import { Type } from '@sinclair/typebox';
import { type JobProcessor, type JobType, type JsonObject, PermanentJobError, defineJobType } from '@tidings/jobs';
import { TASK_TYPES } from '../conduit-constants.js';
import { jsonObject, SimulatedWork } from '@tidings/server';

/** Demo prices: what a finished task adds to its key's spend. */
export const DEMO_PRICES = { videoPerSecond: 0.05, perImage: 0.04 } as const;

/** A prompt with this in it fails half way: so VideoFailed and ImageFailed can be seen (demo only). */
export const DEMO_FAILURE_MARKER = '[fail]';

/**
 * DEMO: pretends to generate a video. Timers stand in for a provider;
 * the URL it returns points nowhere (example.com).
 */
function simulatedVideoGeneration(work: SimulatedWork): JobProcessor {
  return async (job, ctx) => {
    const input = jsonObject(job.input);
    const seconds = typeof input.durationSeconds === 'number' ? input.durationSeconds : 6;
    const prompt = typeof input.prompt === 'string' ? input.prompt : '';
    await ctx.stage('Queued at provider', 0, 'Waiting for a generation slot');
    await work.wait(400, ctx.signal);
    await ctx.stage('Generating', 10, 'Rendering frames');
    for (let step = 1; step <= 8; step++) {
      await work.wait(500, ctx.signal);
      if (step === 4 && prompt.includes(DEMO_FAILURE_MARKER)) throw new PermanentJobError('The provider rejected the prompt (demo failure).');
      await ctx.progress(10 + step * 10, `Rendered ${step * 12}% of the frames`);
    }
    await ctx.stage('Encoding', 90, 'Encoding the video');
    await work.wait(400, ctx.signal);
    return {
      message: 'Video generated',
      result: {
        videoUrl: `https://media.example.com/conduit-demo/videos/${job.id}.mp4`,
        durationSeconds: seconds,
        cost: Math.round(seconds * DEMO_PRICES.videoPerSecond * 10_000) / 10_000,
      },
    };
  };
}

/** DEMO: pretends to generate `n` images, one after another. */
function simulatedImageGeneration(work: SimulatedWork): JobProcessor {
  return async (job, ctx) => {
    const input = jsonObject(job.input);
    const count = typeof input.n === 'number' ? input.n : 1;
    const prompt = typeof input.prompt === 'string' ? input.prompt : '';
    await ctx.stage('Queued at provider', 0, 'Waiting for a generation slot');
    await work.wait(300, ctx.signal);
    await ctx.stage('Generating', 10, `Generating ${count} image(s)`);
    const images: JsonObject[] = [];
    for (let i = 0; i < count; i++) {
      await work.wait(600, ctx.signal);
      if (prompt.includes(DEMO_FAILURE_MARKER)) throw new PermanentJobError('The provider rejected the prompt (demo failure).');
      images.push({ index: i, url: `https://media.example.com/conduit-demo/images/${job.id}-${i}.png` });
      await ctx.progress(10 + (90 * (i + 1)) / count, `Generated ${i + 1} of ${count} image(s)`);
    }
    return { message: 'Images generated', result: { images, cost: Math.round(count * DEMO_PRICES.perImage * 10_000) / 10_000 } };
  };
}

/** A generation request's input: the REST body's fields (prompt, model, size, duration, count). */
export const GenerationInput = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]));

/** The Conduit demo's job types, `speed` times faster than their base durations (about 5 s a video). */
export function conduitJobTypes(speed: number): readonly JobType<Record<string, string | number>>[] {
  const work = new SimulatedWork(speed);
  const generation = (name: string, processor: JobProcessor, stages: string[]) =>
    defineJobType({ name, input: GenerationInput, maxRetries: 0, stages, process: (job, ctx) => processor(job, ctx) });
  return [
    generation(TASK_TYPES.video.jobType, simulatedVideoGeneration(work), ['Queued at provider', 'Generating', 'Encoding']),
    generation(TASK_TYPES.image.jobType, simulatedImageGeneration(work), ['Queued at provider', 'Generating']),
  ];
}
