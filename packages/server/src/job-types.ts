import { Type } from '@sinclair/typebox';
import { type JobProcessor, type JobType, type JsonValue, defineJobType } from '@tidings/jobs';
import { type ProcessorSet, demoProcessors } from './demo/simulated-processors.js';
import { tracedProcessor } from './observability/job-tracing.js';
import type { TidingsPlugin } from './plugins/tidings-plugin.js';

export interface ServiceJobTypesOptions {
  /** How much faster than real time the simulated processors run. */
  readonly demoSpeed: number;
  /** Processors that replace the simulated video pipeline (tests give their own); they win over a plugin's type of the same name. */
  readonly processors?: ProcessorSet;
  /** The plugins the service is composed with: their job types follow. */
  readonly plugins?: readonly TidingsPlugin[];
}

/**
 * Every job type the service runs: the one list that API nodes
 * (`createTidingsServer`) and worker processes (`npm run worker`) both build,
 * so a worker needs no HTTP server and no hubs to know its processors.
 *
 * The simulated video pipeline (or the processors given instead; their input
 * is not declared, so any JSON passes), then each plugin's job types. Every
 * processor is traced (`tracedProcessor`): its attempts and stages join the
 * trace of the request that created the job, in whichever process runs it.
 */
export function serviceJobTypes(options: ServiceJobTypesOptions): JobType<never, JsonValue>[] {
  const types = new Map<string, JobType<never, JsonValue>>();
  for (const [name, { processor, options: processorOptions }] of Object.entries(options.processors ?? demoProcessors({ speed: options.demoSpeed }))) {
    types.set(name, defineJobType({ name, input: Type.Any(), process: processor, ...processorOptions }));
  }
  for (const plugin of options.plugins ?? []) {
    for (const type of plugin.jobTypes ?? []) if (!types.has(type.name)) types.set(type.name, type);
  }
  return [...types.values()].map((type) => ({ ...type, process: tracedProcessor(type.name, type.process as JobProcessor) as typeof type.process }));
}
