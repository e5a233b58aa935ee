import type { ConnectionOptions, Queue, QueueEvents, Worker } from 'bullmq';

/** BullMQ's connection to the redis-server at `redisUrl`; its blocking connections need `maxRetriesPerRequest: null`. */
export function bullMqConnection(redisUrl: string): ConnectionOptions {
  const { hostname, port } = new URL(redisUrl);
  return { host: hostname, port: Number(port), maxRetriesPerRequest: null };
}

/** Closes a BullMQ setup: the worker first (it lets its active jobs finish), then the listener and the queue. */
export async function closeBullMq(worker: Worker, events: QueueEvents, queue: Queue): Promise<void> {
  await worker.close();
  await events.close();
  await queue.close();
}
