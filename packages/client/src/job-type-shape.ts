import type { JsonObject, JsonValue } from '@tidings/contract';

/**
 * What a client reads off a job type's definition (`import type` of a
 * `JobType` from `@tidings/jobs`, or anything with a `process` shaped like
 * one) without depending on the jobs package: the processor's job input, its
 * result, and what its context's `metadata` and `output` take.
 */
type ProcessOf<T> = T extends { readonly process: infer P } ? P : never;
type JobOf<T> = ProcessOf<T> extends (job: infer J, ...rest: never[]) => unknown ? J : never;
type ContextOf<T> = ProcessOf<T> extends (job: never, context: infer C) => unknown ? C : never;
type OutcomeOf<T> = ProcessOf<T> extends (...args: never[]) => Promise<infer O> ? O : never;

export type InputOf<T> = JobOf<T> extends { readonly input: infer I } ? I : JsonValue;
export type ResultOf<T> = Exclude<OutcomeOf<T>, void> extends { readonly result?: infer R } ? R : JsonValue;
export type MetadataOf<T> = ContextOf<T> extends { metadata(patch: Partial<infer M>): unknown } ? M : JsonObject;
export type OutputOf<T> = ContextOf<T> extends { output(data: infer O, ...rest: never[]): unknown } ? O : JsonValue;
