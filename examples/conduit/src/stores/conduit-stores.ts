import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DeadLetterStore } from '../reliability/dead-letter-store.js';
import { VirtualKeyStore } from '../virtual-key-store.js';
import type { AcknowledgementLedger } from './acknowledgement-ledger.js';
import type { DeadLetters } from './dead-letters.js';
import { type KeyRevocations, LocalKeyRevocations } from './key-revocations.js';
import { LocalSpendLedger } from './local-spend-ledger.js';
import { MemoryAcknowledgementLedger } from './memory-acknowledgement-ledger.js';
import type { SpendLedger } from './spend-ledger.js';
import type { VirtualKeys } from './virtual-keys.js';

/**
 * Where Conduit keeps what outlives a hub call: its virtual keys, spend, dead
 * letters, which critical messages wait for an acknowledgement, and news of
 * revoked keys. `localConduitStores` (SQLite and memory, one node) or
 * `redisConduitStores` (every node of a scaled service).
 */
export interface ConduitStores {
  readonly keys: VirtualKeys;
  readonly spend: SpendLedger;
  readonly deadLetters: DeadLetters;
  readonly acknowledgements: AcknowledgementLedger;
  readonly revocations: KeyRevocations;
  /** Ready to serve (subscribed, connected). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** One node's stores: `DATA_DIR/conduit.db` for keys, spend and dead letters; acknowledgements in memory. */
export function localConduitStores(dataDir: string): ConduitStores {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'conduit.db'));
  db.pragma('journal_mode = WAL');
  const keys = new VirtualKeyStore(db);
  return {
    keys,
    spend: new LocalSpendLedger(keys),
    deadLetters: new DeadLetterStore(db),
    acknowledgements: new MemoryAcknowledgementLedger(),
    revocations: new LocalKeyRevocations(),
    start: async () => undefined,
    close: async () => void db.close(),
  };
}
