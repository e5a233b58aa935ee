import { defineJobType } from '@tidings/jobs';
import { Type } from '@sinclair/typebox';

/** The step count every job of a round gets: 20 steps of 5 points, say. */
export const StepsInput = Type.Object({ steps: Type.Integer({ minimum: 1, maximum: 100 }) }, { additionalProperties: false });

/** Progress after step `step` of `steps`: equal jumps up to 100, each as large as the engine sends at once. */
export function stepProgress(step: number, steps: number): number {
  return Math.round((step * 100) / steps);
}

/**
 * The jobs scenario's job: `steps` progress reports back to back, each a jump
 * of 100 ÷ steps points, so every one is sent (the engine's default
 * `progressJump` is 5) and the engine's event path is all that is measured.
 */
export const progressStepsJob = defineJobType({
  name: 'BenchProgressSteps',
  input: StepsInput,
  async process(job, ctx) {
    for (let step = 1; step <= job.input.steps; step++) await ctx.progress(stepProgress(step, job.input.steps));
  },
});
