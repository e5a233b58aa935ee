import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, it } from 'node:test';
import type { HubClients } from '@tidings/hub';
import { ManualClock } from '@tidings/jobs';
import type { AcknowledgementTracker } from '../src/reliability/acknowledgement-tracker.js';
import type { ConnectionRegistry } from '../src/reliability/connection-registry.js';
import { MessageBatcher } from '../src/reliability/message-batcher.js';
import { ReliableMessenger } from '../src/reliability/reliable-messenger.js';

describe('batched sends keep the async context they were queued in', () => {
  it('sends each message of a batch in its own context, not the first enqueuer’s', async () => {
    // Scaled mode decides from the async context whether a send stays on this node.
    const scope = new AsyncLocalStorage<string>();
    const seen: [string, string | undefined][] = [];
    const clients = {
      groups: () => ({ send: async (method: string) => void seen.push([method, scope.getStore()]) }),
    } as unknown as HubClients;
    const clock = new ManualClock();
    const messenger = new ReliableMessenger({
      registry: {} as ConnectionRegistry,
      tracker: {} as AcknowledgementTracker,
      batcher: new MessageBatcher({ windowMs: 100, clock }),
      clock,
    });
    const hub = { path: '/hubs/tasks', clients };
    scope.run('delivery', () => messenger.queue(hub, ['task-1'], 'FromDelivery', { n: 1 }));
    messenger.queue(hub, ['task-1'], 'FromHubMethod', { n: 2 });
    scope.run('other-delivery', () => messenger.queue(hub, ['task-2'], 'FromOtherDelivery', { n: 3 }));
    clock.advance(100);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, [
      ['FromDelivery', 'delivery'],
      ['FromHubMethod', undefined],
      ['FromOtherDelivery', 'other-delivery'],
    ]);
  });
});
