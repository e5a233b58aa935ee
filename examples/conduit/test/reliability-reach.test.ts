import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HubClients } from '@tidings/hub';
import { ManualClock } from '@tidings/jobs';
import type { AcknowledgementTracker } from '../src/reliability/acknowledgement-tracker.js';
import type { ConnectionRegistry } from '../src/reliability/connection-registry.js';
import { MessageBatcher } from '../src/reliability/message-batcher.js';
import { type HubTarget, ReliableMessenger } from '../src/reliability/reliable-messenger.js';

describe("Conduit's batched sends keep the reach of the target they were queued for", () => {
  it('a node-local message goes through the local clients and a cluster-wide one through the cluster clients, neither coalescing the other away', async () => {
    const seen: [number, HubTarget['reach']][] = [];
    // Records which clients a send went through: the hub context's `clients` or its `local.clients`.
    const clients = (reach: HubTarget['reach']) => ({ groups: () => ({ send: async (_method: string, message: { n: number }) => void seen.push([message.n, reach]) }) }) as unknown as HubClients;
    const clock = new ManualClock();
    const messenger = new ReliableMessenger({
      registry: {} as ConnectionRegistry,
      tracker: {} as AcknowledgementTracker,
      batcher: new MessageBatcher({ windowMs: 100, clock }),
      clock,
    });
    const cluster: HubTarget = { path: '/hubs/tasks', reach: 'cluster', clients: clients('cluster') };
    const local: HubTarget = { path: '/hubs/tasks', reach: 'node', clients: clients('node') };
    messenger.queue(local, ['task-1'], 'TaskProgress', { n: 1 }, { coalesceKey: 'task-1' });
    messenger.queue(cluster, ['task-1'], 'TaskProgress', { n: 2 }, { coalesceKey: 'task-1' });
    messenger.queue(local, ['task-1'], 'TaskProgress', { n: 3 }, { coalesceKey: 'task-1' }); // replaces n: 1 only
    clock.advance(100);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      seen.sort(([a], [b]) => a - b),
      [
        [2, 'cluster'],
        [3, 'node'],
      ],
    );
  });
});
