import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hub, HubServer, silentLogger, hubMethod } from '@tidings/hub';
import { RedisHubLifetimeManager } from '@tidings/redis';
import { HUB_PATH, type JobProgressUpdate, jobGroup } from '../contract.js';
import type { StartOptions } from './start-system.js';
import type { BenchSystem } from './system.js';

interface ProgressEvents {
  JobProgressUpdate(update: JobProgressUpdate): void;
}

/** Seed 001's hub, as far as the bench needs it: clients subscribe to a job's group. */
class JobProgressHub extends Hub<ProgressEvents> {
  @hubMethod()
  async subscribeToJob(jobId: string): Promise<void> {
    await this.groups.addToGroup(this.context.connectionId, jobGroup(jobId));
  }
}

function reportSendFailure(error: unknown): void {
  console.error('tidings: group send failed', error);
}

/** tidings through its public API, as an application would host it; with `redisUrl`, on its Redis backplane. */
export async function startTidings(options: StartOptions = {}): Promise<BenchSystem> {
  const hubs = new HubServer({ logger: silentLogger });
  const lifetimeManager = options.redisUrl ? new RedisHubLifetimeManager({ redis: options.redisUrl, hub: HUB_PATH, logger: silentLogger }) : undefined;
  await lifetimeManager?.ready();
  const endpoint = hubs.mapHub<ProgressEvents>(HUB_PATH, JobProgressHub, { lifetimeManager });
  const server = hubs.attach(createServer());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    broadcast(group, update) {
      endpoint.context.clients.group(group).send('JobProgressUpdate', update).catch(reportSendFailure);
    },
  };
}
