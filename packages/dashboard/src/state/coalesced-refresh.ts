/**
 * Runs `read(key)` for a key at most once at a time: a request while one is in
 * flight queues exactly one more run, so bursts of events cost two reads.
 */
export function coalesced(read: (key: string) => Promise<void>): (key: string) => void {
  const running = new Map<string, boolean>(); // key -> another run requested
  const run = (key: string) => {
    running.set(key, false);
    read(key)
      .catch(() => undefined) // a failed read is retried by the next event or poll
      .finally(() => {
        const again = running.get(key);
        running.delete(key);
        if (again) run(key);
      });
  };
  return (key) => {
    if (running.has(key)) running.set(key, true);
    else run(key);
  };
}
