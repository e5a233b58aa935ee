import type Database from 'better-sqlite3';
import type { DeadLetter, DeadLetterQuery, DeadLetters, NewDeadLetter } from '../stores/dead-letters.js';

export type { DeadLetter, NewDeadLetter } from '../stores/dead-letters.js';

interface Row {
  id: number;
  message_id: string;
  hub: string;
  method: string;
  connection_id: string;
  user_identifier: string | null;
  payload: string;
  attempts: number;
  reason: string;
  last_error: string | null;
  first_sent_at: string;
  dead_lettered_at: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL,
  hub TEXT NOT NULL,
  method TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  user_identifier TEXT,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  reason TEXT NOT NULL,
  last_error TEXT,
  first_sent_at TEXT NOT NULL,
  dead_lettered_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dead_letters_by_message ON dead_letters (message_id);
`;

/**
 * Conduit's dead letters in SQLite (one node; `RedisDeadLetterStore` in scaled mode), newest first when listed. The list keeps the last
 * `maxEntries`; older ones are pruned as new ones arrive.
 */
export class DeadLetterStore implements DeadLetters {
  private readonly insert: Database.Statement;
  private readonly prune: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly maxEntries = 10_000,
  ) {
    db.exec(SCHEMA);
    this.insert = db.prepare(
      `INSERT INTO dead_letters (message_id, hub, method, connection_id, user_identifier, payload, attempts, reason, last_error, first_sent_at, dead_lettered_at)
       VALUES (@messageId, @hub, @method, @connectionId, @userIdentifier, @payload, @attempts, @reason, @lastError, @firstSentAt, @deadLetteredAt)`,
    );
    this.prune = db.prepare('DELETE FROM dead_letters WHERE id <= (SELECT MAX(id) FROM dead_letters) - ?');
  }

  add(letter: NewDeadLetter): DeadLetter {
    const { lastInsertRowid } = this.insert.run({ ...letter, payload: JSON.stringify(letter.payload) });
    this.prune.run(this.maxEntries);
    return { ...letter, id: Number(lastInsertRowid) };
  }

  list(options: DeadLetterQuery = {}): DeadLetter[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.hub !== undefined) {
      where.push('hub = ?');
      params.push(options.hub);
    }
    if (options.userIdentifier !== undefined) {
      where.push('user_identifier = ?');
      params.push(options.userIdentifier);
    }
    const sql = `SELECT * FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ? OFFSET ?`;
    const rows = this.db.prepare(sql).all(...params, options.limit ?? 100, options.offset ?? 0) as Row[];
    return rows.map(fromRow);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM dead_letters').get() as { n: number }).n;
  }

  /** Removes one letter (after handling it by hand); false when there was none. */
  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM dead_letters WHERE id = ?').run(id).changes > 0;
  }

  clear(): number {
    return this.db.prepare('DELETE FROM dead_letters').run().changes;
  }
}

function fromRow(row: Row): DeadLetter {
  return {
    id: row.id,
    messageId: row.message_id,
    hub: row.hub,
    method: row.method,
    connectionId: row.connection_id,
    userIdentifier: row.user_identifier,
    payload: JSON.parse(row.payload) as unknown,
    attempts: row.attempts,
    reason: row.reason,
    lastError: row.last_error,
    firstSentAt: row.first_sent_at,
    deadLetteredAt: row.dead_lettered_at,
  };
}
