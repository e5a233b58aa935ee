/**
 * A value now or later. Conduit's stores answer synchronously on SQLite and in
 * memory and asynchronously on Redis; callers chain with `after`, so the local
 * stores keep their synchronous behaviour (a timer that fires re-sends in the
 * same turn) and the Redis ones are awaited.
 */
export type Awaitable<T> = T | PromiseLike<T>;

function isPromiseLike<T>(value: Awaitable<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** `next(value)` now when `value` is there, else once it resolves. */
export function after<T, R>(value: Awaitable<T>, next: (value: T) => Awaitable<R>): Awaitable<R> {
  return isPromiseLike(value) ? Promise.resolve(value).then(next) : next(value);
}

/** Runs `work`; a failure, thrown now or rejected later, goes to `onError` instead of escaping. */
export function guarded(work: () => Awaitable<unknown>, onError: (error: unknown) => void): Awaitable<void> {
  try {
    const result = work();
    if (isPromiseLike(result)) return Promise.resolve(result).then(() => undefined, onError);
  } catch (error) {
    onError(error);
  }
  return undefined;
}

/** Every value, as one Awaitable: synchronous when all of them are. */
export function all<T>(values: readonly Awaitable<T>[]): Awaitable<T[]> {
  return values.some(isPromiseLike) ? Promise.all(values) : (values as T[]);
}
