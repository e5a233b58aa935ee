/**
 * Polls an async query until `accept` holds of its value, and returns that
 * value. A query that throws (Redis restarting, say) is tried again. Fails
 * after `timeoutMs` with the last value and the last error.
 *
 * ```ts
 * await until(() => view.getUserConnections('alice'), (ids) => ids.length === 1, 'alice re-registered');
 * ```
 */
export async function until<T>(query: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  while (Date.now() < deadline) {
    try {
      last = await query();
      if (accept(last)) return last;
    } catch (e) {
      error = e;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`Timed out waiting for ${what}; last value ${JSON.stringify(last)}${error ? `, last error ${String(error)}` : ''}`);
}
