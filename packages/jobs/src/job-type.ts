import type { Static, TSchema } from '@sinclair/typebox';
import type { ProcessorContext, ProcessorOptions } from './engine/processor.js';
import type { Job, JsonValue } from './model.js';

/** Per-type options: how a job of this type is retried, resumed, timed out and how many run at once. */
export type JobTypeOptions = ProcessorOptions;

/** A job as its type's processor sees it: `input` typed from the type's schema. */
export type TypedJob<TInput> = Readonly<Omit<Job, 'input'>> & { readonly input: TInput };

/** What a processor returns: a result (typed) and, optionally, the completion message. */
export type TypedOutcome<TResult> = { readonly result?: TResult; readonly message?: string } | void;

export type TypedProcessor<TInput, TResult> = (job: TypedJob<TInput>, context: ProcessorContext) => Promise<TypedOutcome<TResult>>;

/**
 * One kind of job, defined once in a plain module that the API process and the
 * worker process both import: its name, the JSON Schema its input must meet,
 * the processor and its options.
 */
export interface JobType<TInput = JsonValue, TResult extends JsonValue = JsonValue> {
  readonly name: string;
  /** JSON Schema of the input (a TypeBox schema is one). */
  readonly input: TSchema;
  readonly options: JobTypeOptions;
  readonly process: TypedProcessor<TInput, TResult>;
}

export interface JobTypeDefinition<S extends TSchema, TResult extends JsonValue> extends JobTypeOptions {
  readonly name: string;
  readonly input: S;
  readonly process: TypedProcessor<Static<S>, TResult>;
}

/**
 * Defines a job type; input and result types follow from the definition.
 *
 * ```ts
 * const resize = defineJobType({
 *   name: 'ImageResize',
 *   input: Type.Object({ url: Type.String(), width: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
 *   maxRetries: 2,
 *   async process(job, ctx) {
 *     await ctx.stage('Resizing', 10);
 *     return { result: { width: job.input.width } };
 *   },
 * });
 * ```
 */
export function defineJobType<S extends TSchema, TResult extends JsonValue = JsonValue>(
  definition: JobTypeDefinition<S, TResult>,
): JobType<Static<S>, TResult> {
  const { name, input, process, ...options } = definition;
  if (!name) throw new TypeError('A job type needs a name.');
  return Object.freeze({ name, input, options: Object.freeze(options), process });
}
