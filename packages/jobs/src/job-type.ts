import type { Static, TSchema, TUnsafe } from '@sinclair/typebox';
import type { ProcessorContext, ProcessorOptions } from './engine/processor.js';
import type { Job, JsonObject, JsonValue } from './model.js';

/** Per-type options: how a job of this type is retried, resumed, timed out and how many run at once. */
export type JobTypeOptions = ProcessorOptions;

/** A job as its type's processor sees it: `input` typed from the type's schema. */
export type TypedJob<TInput> = Readonly<Omit<Job, 'input'>> & { readonly input: TInput };

/** What a processor returns: a result (typed) and, optionally, the completion message. */
export type TypedOutcome<TResult> = { readonly result?: TResult; readonly message?: string } | void;

/** The processor's context with `metadata` and `output` typed from the type's schemas for them (when it declares them). */
export interface TypedProcessorContext<TMetadata = JsonObject, TOutput = JsonValue> extends Omit<ProcessorContext, 'metadata' | 'output'> {
  metadata(patch: Partial<TMetadata>): Promise<void>;
  output(data: TOutput, options?: { readonly stream?: string }): Promise<void>;
}

export type TypedProcessor<TInput, TResult, TMetadata = JsonObject, TOutput = JsonValue> = (
  job: TypedJob<TInput>,
  context: TypedProcessorContext<TMetadata, TOutput>,
) => Promise<TypedOutcome<TResult>>;

/**
 * One kind of job, defined once in a plain module that the API process and the
 * worker process both import: its name, the JSON Schema its input must meet,
 * the processor and its options.
 */
export interface JobType<TInput = JsonValue, TResult extends JsonValue = JsonValue, TMetadata = JsonObject, TOutput = JsonValue> {
  readonly name: string;
  /** JSON Schema of the input (a TypeBox schema is one); `enqueue` checks input against it. */
  readonly input: TSchema;
  /**
   * JSON Schemas of what the processor puts in `metadata` and writes as
   * output, when the type declares them: they type `ctx.metadata` and
   * `ctx.output` here and a client's view of the job; they are not checked at
   * run time.
   */
  readonly metadata: TSchema | undefined;
  readonly output: TSchema | undefined;
  readonly options: JobTypeOptions;
  readonly process: TypedProcessor<TInput, TResult, TMetadata, TOutput>;
}

/** What `defineJobType` takes: the type's name, schemas, options and processor. */
export interface JobTypeDefinition<S extends TSchema, TResult extends JsonValue, M extends TSchema, O extends TSchema> extends JobTypeOptions {
  readonly name: string;
  readonly input: S;
  /** Optional: the shape of `job.metadata` as the processor patches it. */
  readonly metadata?: M;
  /** Optional: the shape of each output item's data. */
  readonly output?: O;
  readonly process: TypedProcessor<Static<S>, TResult, Static<M>, Static<O>>;
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
export function defineJobType<
  S extends TSchema,
  TResult extends JsonValue = JsonValue,
  M extends TSchema = TUnsafe<JsonObject>,
  O extends TSchema = TUnsafe<JsonValue>,
>(definition: JobTypeDefinition<S, TResult, M, O>): JobType<Static<S>, TResult, Static<M>, Static<O>> {
  const { name, input, metadata, output, process, ...options } = definition;
  if (!name) throw new TypeError('A job type needs a name.');
  return Object.freeze({ name, input, metadata, output, options: Object.freeze(options), process });
}
