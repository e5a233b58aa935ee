/**
 * `read` at most once at a time. A call while a read runs is answered by one
 * more read after it, so the promise it gets settles only after a read that
 * began after the call: what the caller then sees is at least as new as the
 * moment it asked. A burst of calls costs two reads. `read` must not reject.
 */
export function coalescedRead(read: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const loop = async () => {
    try {
      do {
        again = false;
        await read();
      } while (again);
    } finally {
      running = undefined;
    }
  };
  return () => {
    if (running) again = true;
    else running = loop();
    return running;
  };
}
