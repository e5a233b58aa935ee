import { type CommandHandlers, serveCommands } from '../rpc.js';
import type { ServiceStack, ServiceStackName, ServiceStackOptions } from './service-stack.js';

export type ServiceCommands = {
  start: { arg: { stack: ServiceStackName } & ServiceStackOptions; result: { url: string } };
  prepare: { arg: { jobs: number; steps: number }; result: { jobIds: string[] } };
  release: { arg: null; result: { releasedAtUs: number } };
  cpu: { arg: null; result: number };
  close: { arg: null; result: null };
};

async function startStack(stack: ServiceStackName, options: ServiceStackOptions): Promise<ServiceStack> {
  switch (stack) {
    case 'tidings-service':
      return (await import('./tidings-service-stack.js')).startTidingsServiceStack(options);
    case 'bullmq+socket.io':
      return (await import('./bullmq-socketio-stack.js')).startBullMqSocketIoStack(options);
  }
}

let service: ServiceStack | undefined;

function running(): ServiceStack {
  if (!service) throw new Error('No service started.');
  return service;
}

const handlers: CommandHandlers<ServiceCommands> = {
  async start({ stack, ...options }) {
    if (service) throw new Error('A service is already running in this worker.');
    service = await startStack(stack, options);
    return { url: service.url };
  },
  prepare: async ({ jobs, steps }) => ({ jobIds: await running().prepare(jobs, steps) }),
  release: () => ({ releasedAtUs: running().release() }),
  cpu: () => running().cpuMicros(),
  async close() {
    await service?.close();
    service = undefined;
    return null;
  },
};

serveCommands(handlers);
