import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { DeadLetterStore } from '../src/reliability/dead-letter-store.js';
import type { AcknowledgementLedger } from '../src/stores/acknowledgement-ledger.js';
import type { DeadLetters, NewDeadLetter } from '../src/stores/dead-letters.js';
import { LocalSpendLedger } from '../src/stores/local-spend-ledger.js';
import { MemoryAcknowledgementLedger } from '../src/stores/memory-acknowledgement-ledger.js';
import { RedisAcknowledgementLedger } from '../src/stores/redis-acknowledgement-ledger.js';
import { RedisDeadLetterStore } from '../src/stores/redis-dead-letter-store.js';
import { RedisSpendLedger } from '../src/stores/redis-spend-ledger.js';
import { RedisVirtualKeyStore } from '../src/stores/redis-virtual-key-store.js';
import type { SpendLedger } from '../src/stores/spend-ledger.js';
import type { VirtualKeys } from '../src/stores/virtual-keys.js';
import { VirtualKeyStore } from '../src/virtual-key-store.js';

interface Stores {
  readonly keys: VirtualKeys;
  readonly spend: SpendLedger;
  readonly deadLetters: DeadLetters;
  readonly acknowledgements: AcknowledgementLedger;
}

const letter = (n: number, hub: string, userIdentifier: string | null): NewDeadLetter => ({
  messageId: `m-${n}`,
  hub,
  method: 'VideoCompleted',
  connectionId: `c-${n}`,
  userIdentifier,
  payload: { n },
  attempts: 1,
  reason: 'test',
  lastError: null,
  firstSentAt: '2026-01-01T00:00:00.000Z',
  deadLetteredAt: '2026-01-01T00:00:01.000Z',
});

/** The same behaviour from Conduit's stores on one node (SQLite, memory) and on Redis (every node). */
function contract(name: string, make: () => Promise<Stores>, options: { skip?: string } = {}) {
  describe(`Conduit's stores: ${name}`, { skip: options.skip }, () => {
    let stores: Stores;
    before(async () => {
      stores = await make();
    });

    it('virtual keys: issued, authenticated by the key, listed, revoked', async () => {
      const { key, virtualKey } = await stores.keys.issue('k', 5);
      assert.equal((await stores.keys.authenticate(key))?.id, virtualKey.id);
      assert.equal(await stores.keys.authenticate(`${key}x`), undefined);
      assert.equal(await stores.keys.authenticate('not-a-key'), undefined);
      assert.equal((await stores.keys.get(virtualKey.id))?.maxBudget, 5);
      assert.ok((await stores.keys.list()).some((k) => k.id === virtualKey.id));
      assert.notEqual((await stores.keys.revoke(virtualKey.id))?.revokedAt, null);
      assert.equal(await stores.keys.authenticate(key), undefined);
      assert.equal(await stores.keys.revoke('99999'), undefined);
    });

    it('dead letters: newest first, filtered, paged, counted, removed, cleared', async () => {
      await stores.deadLetters.clear();
      for (const [n, hub, user] of [[1, '/hubs/a', '7'], [2, '/hubs/b', '7'], [3, '/hubs/a', '8'], [4, '/hubs/a', null]] as const) await stores.deadLetters.add(letter(n, hub, user));
      const ids = (list: { messageId: string }[]) => list.map((l) => l.messageId);
      assert.deepEqual(ids(await stores.deadLetters.list()), ['m-4', 'm-3', 'm-2', 'm-1']);
      assert.deepEqual(ids(await stores.deadLetters.list({ hub: '/hubs/a' })), ['m-4', 'm-3', 'm-1']);
      assert.deepEqual(ids(await stores.deadLetters.list({ userIdentifier: '7' })), ['m-2', 'm-1']);
      assert.deepEqual(ids(await stores.deadLetters.list({ hub: '/hubs/a', userIdentifier: '7' })), ['m-1']);
      assert.deepEqual(ids(await stores.deadLetters.list({ limit: 2, offset: 1 })), ['m-3', 'm-2']);
      const [newest] = await stores.deadLetters.list({ limit: 1 });
      assert.deepEqual(newest!.payload, { n: 4 });
      assert.equal(newest!.userIdentifier, null);
      assert.equal(await stores.deadLetters.count(), 4);
      assert.equal(await stores.deadLetters.remove(newest!.id), true);
      assert.equal(await stores.deadLetters.remove(newest!.id), false);
      assert.equal(await stores.deadLetters.clear(), 3);
      assert.equal(await stores.deadLetters.count(), 0);
    });

    it('acknowledgements: settled once, by the recipient or by another connection of its key', async () => {
      const ledger = stores.acknowledgements;
      for (const [connectionId, userIdentifier] of [['c1', '7'], ['c2', '7'], ['c3', '8']] as const) await ledger.open({ messageId: 'm', connectionId, userIdentifier });
      assert.deepEqual(await ledger.acknowledge('m', 'c1', '7'), ['c1']);
      assert.deepEqual(await ledger.acknowledge('m', 'c1', '7'), [], 'a recipient acknowledging again settles no one else');
      assert.equal(await ledger.pending('m', 'c2'), true);
      assert.deepEqual(await ledger.acknowledge('m', 'elsewhere', '7'), ['c2'], "another connection of key 7 settles key 7's delivery");
      assert.equal(await ledger.pending('m', 'c2'), false);
      assert.equal(await ledger.giveUp('m', 'c2'), false, 'settled: not a dead letter');
      assert.deepEqual(await ledger.acknowledge('m', 'elsewhere', null), []);
      assert.equal(await ledger.giveUp('m', 'c3'), true);
      assert.equal(await ledger.giveUp('m', 'c3'), false);
      assert.deepEqual(await ledger.acknowledge('m', 'c3', '8'), []);
      assert.deepEqual(await ledger.acknowledge('unknown', 'c1', '7'), []);
    });

    it('spend: totals and one window per key, taken once; recent deltas', async () => {
      const { virtualKey } = await stores.keys.issue('payer', null);
      assert.equal(await stores.spend.record('99999', 1, 0, 1000), undefined);
      assert.deepEqual(await stores.spend.record(virtualKey.id, 0.1, 0, 1000), { previous: 0, current: 0.1, opened: true });
      assert.deepEqual(await stores.spend.record(virtualKey.id, 0.25, 10, 1000), { previous: 0.1, current: 0.35, opened: false });
      assert.deepEqual(await stores.spend.take(virtualKey.id), { previousSpend: 0, currentSpend: 0.35, delta: 0.35, updates: 2 });
      assert.equal(await stores.spend.take(virtualKey.id), undefined);
      assert.equal((await stores.keys.get(virtualKey.id))?.currentSpend, 0.35);
      assert.deepEqual(await stores.spend.remember(virtualKey.id, 0.35, 2), []);
      assert.deepEqual(await stores.spend.remember(virtualKey.id, 0.1, 2), [0.35]);
      assert.deepEqual(await stores.spend.remember(virtualKey.id, 0.2, 2), [0.35, 0.1]);
      assert.deepEqual(await stores.spend.remember(virtualKey.id, 0.3, 2), [0.1, 0.2]);
    });
  });
}

contract('SQLite and memory (one node)', async () => {
  const db = new Database(':memory:');
  const keys = new VirtualKeyStore(db);
  return { keys, spend: new LocalSpendLedger(keys), deadLetters: new DeadLetterStore(db), acknowledgements: new MemoryAcknowledgementLedger() };
});

let redis: RedisServer | undefined;
let client: Redis | undefined;
contract(
  'Redis (every node)',
  async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url);
    const keys = new RedisVirtualKeyStore(client, 'test');
    return { keys, spend: new RedisSpendLedger(client, 'test', keys), deadLetters: new RedisDeadLetterStore(client, 'test'), acknowledgements: new RedisAcknowledgementLedger(client, 'test') };
  },
  { skip: redisSkipReason },
);

describe("Conduit's Redis stores across nodes", { skip: redisSkipReason }, () => {
  after(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('a window left a whole length past its end (its node gone) is handed to the next recorder; a task is billed once', async () => {
    const keys = new RedisVirtualKeyStore(client!, 'orphans');
    const spend = new RedisSpendLedger(client!, 'orphans', keys);
    const { virtualKey } = await keys.issue('orphaned', null);
    assert.equal((await spend.record(virtualKey.id, 0.1, 0, 1000))?.opened, true);
    assert.equal((await spend.record(virtualKey.id, 0.1, 1500, 1000))?.opened, false, 'its opener may still send it');
    assert.equal((await spend.record(virtualKey.id, 0.1, 2001, 1000))?.opened, true, 'overdue: this recorder sends it');
    assert.deepEqual(await spend.take(virtualKey.id), { previousSpend: 0, currentSpend: 0.3, delta: 0.3, updates: 3 });
    assert.equal(await spend.claimTask('task-1'), true);
    assert.equal(await spend.claimTask('task-1'), false);
  });

  it('dead letters past the maximum are pruned, oldest first', async () => {
    const letters = new RedisDeadLetterStore(client!, 'pruned', 2);
    for (const n of [1, 2, 3]) await letters.add(letter(n, '/hubs/a', '7'));
    assert.deepEqual((await letters.list()).map((l) => l.messageId), ['m-3', 'm-2']);
    assert.equal(await letters.count(), 2);
  });
});
