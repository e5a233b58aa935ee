import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { monotonicMicros } from '../clock.js';
import { EVENT_NAME, jobGroup } from '../contract.js';
import { bullMqConnection, closeBullMq } from '../jobs/bullmq-connection.js';
import { withRedisCpuMicros } from '../jobs/redis-cpu.js';
import { stepProgress } from '../jobs/progress-steps-job.js';
import { RoundGate, stampMessage } from './round-gate.js';
import type { ServiceStack, ServiceStackOptions } from './service-stack.js';

const QUEUE = 'bench-e2e';

interface StepData {
  readonly progress: number;
  readonly statusMessage: string;
}

/**
 * The stack a user would otherwise assemble: a BullMQ worker reporting
 * `job.updateProgress`, `QueueEvents` receiving it, and a Socket.IO room per
 * job (`subscribeToJob`, acknowledged) that each update is emitted to.
 */
export async function startBullMqSocketIoStack(options: ServiceStackOptions): Promise<ServiceStack> {
  if (!options.redisUrl) throw new Error('bullmq+socket.io needs a redis-server.');
  const connection = bullMqConnection(options.redisUrl);
  const gate = new RoundGate();

  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], serveClient: false });
  io.on('connection', (socket) => {
    socket.on('subscribeToJob', (jobId: string, ack: () => void) => {
      void socket.join(jobGroup(jobId));
      ack();
    });
  });
  const events = new QueueEvents(QUEUE, { connection });
  events.on('progress', ({ jobId, data }) => {
    const { progress, statusMessage } = data as StepData;
    io.to(jobGroup(jobId)).emit(EVENT_NAME, { jobId, status: 'Running', progress, statusMessage, updatedAt: new Date().toISOString() });
  });
  await events.waitUntilReady();
  const queue = new Queue<{ steps: number }>(QUEUE, { connection });
  const worker = new Worker<{ steps: number }>(
    QUEUE,
    async (job) => {
      await gate.park();
      for (let step = 1; step <= job.data.steps; step++) {
        await job.updateProgress({ progress: stepProgress(step, job.data.steps), statusMessage: stampMessage(monotonicMicros()) } satisfies StepData);
      }
      gate.done();
    },
    { connection, concurrency: options.concurrency },
  );
  await worker.waitUntilReady();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const info = new Redis(options.redisUrl);
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async prepare(jobs, steps) {
      await gate.settled;
      const { parked } = gate.arm(jobs);
      const added = await queue.addBulk(Array.from({ length: jobs }, () => ({ name: 'steps', data: { steps } })));
      await parked;
      return added.map((job) => job.id!);
    },
    release() {
      const at = monotonicMicros();
      gate.open();
      return at;
    },
    cpuMicros: () => withRedisCpuMicros(info),
    async close() {
      await closeBullMq(worker, events, queue);
      info.disconnect();
      await io.close();
    },
  };
}
