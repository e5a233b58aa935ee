import { UnknownJobTypeError } from '../errors.js';
import { InputValidator } from '../engine/input-validator.js';
import { type JobProcessor, type ProcessorDefinition, type ProcessorOptions, validateProcessorOptions } from '../engine/processor.js';
import type { JobType } from '../job-type.js';
import type { JsonValue } from '../model.js';

/** Told of every processor defined (a runner applies the type's concurrency). */
export type DefinitionListener = (definition: ProcessorDefinition) => void;

/**
 * The job types of a process: their processors and options, which the queue
 * checks submissions against and the worker runs, and the input schemas of
 * the types registered with one (compiled once, at `register`). An API node
 * and a worker process register the same definitions.
 */
export class JobRegistry {
  private readonly definitions = new Map<string, ProcessorDefinition>();
  private readonly inputs = new InputValidator();
  /** Types registered with `register`, for listings of types and their schemas. */
  private readonly registered = new Map<string, JobType<never, JsonValue>>();
  private readonly listeners = new Set<DefinitionListener>();

  /** Registers a job type defined with `defineJobType` (replacing any of the same name); its input schema is compiled here. */
  register(jobType: JobType<never, JsonValue>): this {
    const { name, process, options, input } = jobType;
    validateProcessorOptions(name, options);
    const validate = this.inputs.compile(name, input);
    this.define(name, (job, context) => process(job as never, context), options);
    this.inputs.set(name, validate);
    this.registered.set(name, jobType);
    return this;
  }

  /** Registers the processor for jobs of `type` (replacing any before it); its input is not checked. */
  define(type: string, processor: JobProcessor, options: ProcessorOptions = {}): this {
    if (!type) throw new TypeError('A job type needs a name.');
    validateProcessorOptions(type, options);
    this.inputs.remove(type);
    this.registered.delete(type);
    const definition = { type, processor, options };
    this.definitions.set(type, definition);
    for (const listener of this.listeners) listener(definition);
    return this;
  }

  /** Calls `listener` for every definition, now and later. Returns a function that removes it. */
  onDefine(listener: DefinitionListener): () => void {
    this.listeners.add(listener);
    for (const definition of this.definitions.values()) listener(definition);
    return () => this.listeners.delete(listener);
  }

  get(type: string): ProcessorDefinition | undefined {
    return this.definitions.get(type);
  }

  /** The definition of `type`; an UnknownJobTypeError naming the known types when there is none. */
  require(type: string): ProcessorDefinition {
    const definition = this.definitions.get(type);
    if (!definition) throw new UnknownJobTypeError(type, this.types.sort());
    return definition;
  }

  /** Throws a JobInputError when `type` has a schema that `input` does not meet. */
  checkInput(type: string, input: JsonValue): void {
    this.inputs.check(type, input);
  }

  /** Job types with a processor. */
  get types(): string[] {
    return [...this.definitions.keys()];
  }

  /** The job types registered with `register`, with their schemas. */
  get jobTypes(): JobType<never, JsonValue>[] {
    return [...this.registered.values()];
  }
}
