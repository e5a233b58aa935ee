import { type TidingsServerOptions, createTidingsServer } from '../server.js';
import type { ScaledMode } from './scaled-mode.js';

export interface TidingsWorker {
  readonly scale: ScaledMode;
  /** Running jobs checkpoint and go back to the queue; then the connections close. */
  close(): Promise<void>;
}

/**
 * A worker process of the scaled service (ROLE=worker): the service is
 * assembled as an API node would be — so every surface defines the same
 * processors — but serves no HTTP and runs the queued jobs instead.
 */
export async function startTidingsWorker(options: TidingsServerOptions): Promise<TidingsWorker> {
  const server = await createTidingsServer(options);
  const scale = server.scale;
  if (!scale || scale.role !== 'worker') {
    await server.close();
    throw new Error('A tidings worker needs REDIS_URL and ROLE=worker.');
  }
  try {
    await scale.start();
  } catch (error) {
    await server.close().catch(() => undefined);
    throw error;
  }
  return { scale, close: () => server.close() };
}
