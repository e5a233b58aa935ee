import { Type } from '@sinclair/typebox';
import { type JobType, type JsonValue, defineJobType } from '@tidings/jobs';
import { type ProcessorSet, demoProcessors } from './demo/simulated-processors.js';
import { conduitDemoProcessors } from './surfaces/conduit/demo/generation-processors.js';
import { deploymentDemoProcessors } from './surfaces/hotswap/demo/deployment-pipeline.js';

export interface ServiceJobTypesOptions {
  /** How much faster than real time the simulated processors run. */
  readonly demoSpeed: number;
  /** Processors that replace the seed 001 demo pipeline (tests give their own). */
  readonly processors?: ProcessorSet;
}

/**
 * Every job type the service runs: the one list that API nodes
 * (`createTidingsServer`) and worker processes (`npm run worker`) both build,
 * so a worker needs no HTTP server and no hubs to know its processors.
 *
 * Today: the seed 001 video pipeline (or the processors given instead),
 * Conduit's generation providers and HotSwap's deployment pipeline, all
 * simulated. Their input is not declared yet, so any JSON passes.
 */
export function serviceJobTypes(options: ServiceJobTypesOptions): JobType<never, JsonValue>[] {
  const sets = [options.processors ?? demoProcessors({ speed: options.demoSpeed }), conduitDemoProcessors(options.demoSpeed), deploymentDemoProcessors(options.demoSpeed)];
  const types = new Map<string, JobType<never, JsonValue>>();
  for (const set of sets) {
    for (const [name, { processor, options: processorOptions }] of Object.entries(set)) {
      if (!types.has(name)) types.set(name, defineJobType({ name, input: Type.Any(), process: processor, ...processorOptions }));
    }
  }
  return [...types.values()];
}
