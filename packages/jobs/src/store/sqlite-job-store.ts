import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type Job, type JobEvent, type JobEventKind, type JobFilter, type JobOutputItem, withCurrentFields } from '../model.js';
import { GroupCommit } from './group-commit.js';
import type { JobStore } from './job-store.js';

const SCHEMA_VERSION = 3;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  owner_id TEXT,
  status TEXT NOT NULL,
  parent_id TEXT,
  subject TEXT,
  created_at TEXT NOT NULL,
  last_sequence INTEGER NOT NULL DEFAULT 0,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_owner ON jobs (owner_id, created_at);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status);
CREATE INDEX IF NOT EXISTS jobs_by_parent ON jobs (parent_id);
CREATE INDEX IF NOT EXISTS jobs_by_subject ON jobs (subject);
CREATE TABLE IF NOT EXISTS job_events (
  job_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  kind TEXT NOT NULL,
  at TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (job_id, sequence)
) WITHOUT ROWID;
`;

/** Tags, idempotency keys and output items (version 2), added to a version 1 file in place. */
const MIGRATE_TO_2 = `
ALTER TABLE jobs ADD COLUMN idempotency TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS jobs_by_idempotency ON jobs (idempotency) WHERE idempotency IS NOT NULL;
ALTER TABLE job_events ADD COLUMN output TEXT;
CREATE TABLE IF NOT EXISTS job_tags (
  tag TEXT NOT NULL,
  job_id TEXT NOT NULL,
  PRIMARY KEY (tag, job_id)
) WITHOUT ROWID;
`;

/**
 * The history in arrival order (version 3): a rowid table, so each new event
 * goes on the table's last page, with the (job, sequence) key in an index of
 * its own. Keyed by (job, sequence) itself (versions 1–2), every event of a
 * turn's thirty-odd jobs landed on a page of its own, and each group commit
 * wrote all those pages to the WAL: three times the CPU per event.
 */
const MIGRATE_TO_3 = `
CREATE TABLE job_events_by_arrival (
  job_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  kind TEXT NOT NULL,
  at TEXT NOT NULL,
  data TEXT NOT NULL,
  output TEXT
);
INSERT INTO job_events_by_arrival (job_id, sequence, kind, at, data, output) SELECT job_id, sequence, kind, at, data, output FROM job_events;
DROP TABLE job_events;
ALTER TABLE job_events_by_arrival RENAME TO job_events;
CREATE UNIQUE INDEX job_events_by_job ON job_events (job_id, sequence);
`;

interface JobRow {
  data: string;
}

interface IndexedRow {
  last_sequence: number;
  status: string;
  owner_id: string | null;
  subject: string | null;
}

interface EventRow {
  job_id: string;
  sequence: number;
  kind: JobEventKind;
  at: string;
  data: string;
  output: string | null;
}

/**
 * Jobs and their event history in one SQLite file (WAL mode, so readers never
 * wait for the writer). Safe to reopen after a crash: every write is a
 * transaction. Writes are group-committed (GroupCommit): those of one turn
 * share one transaction, and each write's promise resolves once it is
 * committed. Every read commits what waits first, so it sees every write
 * made before it.
 */
export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly commits: GroupCommit;

  /** `path` is a file (its directory is created) or `':memory:'`. */
  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // First, so that opening a file other processes are writing waits for them instead of failing.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    const read = () => this.db.pragma('user_version', { simple: true }) as number;
    const found = read();
    if (found > SCHEMA_VERSION) {
      this.db.close();
      throw new Error(`${path} was written by a newer version of @tidings/jobs (schema ${found} > ${SCHEMA_VERSION}).`);
    }
    if (found < SCHEMA_VERSION) {
      // Immediate: of two processes opening a new or older file at once, one migrates, the other then finds it done.
      this.db
        .transaction(() => {
          const version = read();
          if (version >= SCHEMA_VERSION) return;
          this.db.exec(SCHEMA);
          if (version < 2) this.db.exec(MIGRATE_TO_2);
          if (version < 3) this.db.exec(MIGRATE_TO_3);
          this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
        })
        .immediate();
    }
    this.statements = {
      insert: this.db.prepare(
        `INSERT INTO jobs (id, type, owner_id, status, parent_id, subject, created_at, last_sequence, idempotency, data)
         VALUES (@id, @type, @ownerId, @status, @parentId, @subject, @createdAt, @lastSequence, @idempotency, @data)`,
      ),
      insertTag: this.db.prepare('INSERT OR IGNORE INTO job_tags (tag, job_id) VALUES (?, ?)'),
      byIdempotency: this.db.prepare<[string], JobRow>('SELECT data FROM jobs WHERE idempotency = ?'),
      update: this.db.prepare(
        `UPDATE jobs SET status = @status, owner_id = @ownerId, subject = @subject, last_sequence = @lastSequence, data = @data WHERE id = @id`,
      ),
      get: this.db.prepare<[string], JobRow>('SELECT data FROM jobs WHERE id = ?'),
      lastSequence: this.db.prepare<[string], { last_sequence: number }>('SELECT last_sequence FROM jobs WHERE id = ?'),
      indexed: this.db.prepare<[string], IndexedRow>('SELECT last_sequence, status, owner_id, subject FROM jobs WHERE id = ?'),
      // Leaves the indexed columns alone: a progress event changes none of them, and rewriting their index entries dirtied pages for nothing.
      updateState: this.db.prepare('UPDATE jobs SET last_sequence = @lastSequence, data = @data WHERE id = @id'),
      insertEvent: this.db.prepare('INSERT INTO job_events (job_id, sequence, kind, at, data, output) VALUES (?, ?, ?, ?, ?, ?)'),
      events: this.db.prepare<[string, number, number], EventRow>(
        'SELECT job_id, sequence, kind, at, data, output FROM job_events WHERE job_id = ? AND sequence > ? ORDER BY sequence LIMIT ?',
      ),
    };
    this.commits = new GroupCommit(this.db);
  }

  insertJobs(jobs: readonly Job[]): Promise<void> {
    return this.commits.submit(() => {
      // A savepoint: a flow's parent and children go in together or not at all, whatever else the batch holds.
      this.db.transaction(() => {
        for (const job of jobs) this.insertRow(job);
      })();
    });
  }

  insertJob(job: Job): Promise<Job | undefined> {
    const scope = idempotencyScope(job);
    // Group commits take the write lock at BEGIN, so the look-up and the insert are atomic across processes sharing the file.
    return this.commits.submit((): Job | undefined => {
      const existing = scope === null ? undefined : this.statements.byIdempotency.get(scope);
      if (existing) return parseJob(existing.data);
      this.insertRow(job);
      return undefined;
    });
  }

  async getJob(id: string): Promise<Job | undefined> {
    this.commits.flush();
    const found = this.statements.get.get(id);
    return found ? parseJob(found.data) : undefined;
  }

  async listJobs(filter: JobFilter): Promise<Job[]> {
    this.commits.flush();
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.ownerId !== undefined) {
      where.push('owner_id = ?');
      params.push(filter.ownerId);
    }
    if (filter.status && filter.status.length > 0) {
      where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
      params.push(...filter.status);
    }
    if (filter.type !== undefined) {
      where.push('type = ?');
      params.push(filter.type);
    }
    if (filter.subject !== undefined) {
      where.push('subject = ?');
      params.push(filter.subject);
    }
    if (filter.tag !== undefined) {
      where.push('id IN (SELECT job_id FROM job_tags WHERE tag = ?)');
      params.push(filter.tag);
    }
    if (filter.parentId === null) where.push('parent_id IS NULL');
    else if (filter.parentId !== undefined) {
      where.push('parent_id = ?');
      params.push(filter.parentId);
    }
    const sql = `SELECT data FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`;
    params.push(filter.limit ?? -1, filter.offset ?? 0);
    return (this.db.prepare(sql).all(...params) as JobRow[]).map((r) => parseJob(r.data));
  }

  /** Keeps the stored sequence: `job` may be a copy taken before its latest event was stored. */
  saveJob(job: Job): Promise<void> {
    return this.commits.submit(() => {
      const current = this.statements.lastSequence.get(job.id);
      if (!current) throw new Error(`Cannot save job '${job.id}': it is not in the store.`);
      this.statements.update.run(row({ ...job, lastSequence: current.last_sequence }));
    });
  }

  appendEvent(job: Job, kind: JobEventKind, at: string, output?: JobOutputItem): Promise<JobEvent> {
    return this.commits.submit((): JobEvent => {
      const current = this.statements.indexed.get(job.id);
      if (!current) throw new Error(`Cannot record an event for job '${job.id}': it is not in the store.`);
      const sequence = current.last_sequence + 1;
      const state: Job = { ...job, lastSequence: sequence };
      const stored = row(state);
      const unchanged = current.status === job.status && current.owner_id === job.ownerId && current.subject === job.subject;
      (unchanged ? this.statements.updateState : this.statements.update).run(unchanged ? { id: stored.id, lastSequence: sequence, data: stored.data } : stored);
      this.statements.insertEvent.run(job.id, sequence, kind, at, stored.data, output === undefined ? null : JSON.stringify(output));
      return output === undefined ? { jobId: job.id, sequence, kind, at, job: state } : { jobId: job.id, sequence, kind, at, job: state, output };
    });
  }

  async listEvents(jobId: string, after: number, limit: number): Promise<JobEvent[]> {
    this.commits.flush();
    return this.statements.events.all(jobId, after, limit).map((r) => {
      const event: JobEvent = { jobId: r.job_id, sequence: r.sequence, kind: r.kind, at: r.at, job: parseJob(r.data) };
      return r.output === null ? event : { ...event, output: JSON.parse(r.output) as JobOutputItem };
    });
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.commits.flush();
    this.db.close();
  }

  private insertRow(job: Job): void {
    this.statements.insert.run({ ...row(job), idempotency: idempotencyScope(job) });
    for (const tag of job.tags) this.statements.insertTag.run(tag, job.id);
  }
}

function parseJob(data: string): Job {
  return withCurrentFields(JSON.parse(data) as Job);
}

/** One value per owner and key (an owner id may contain any character, so they are not simply joined). */
function idempotencyScope(job: Job): string | null {
  return job.idempotencyKey === null ? null : JSON.stringify([job.ownerId, job.idempotencyKey]);
}

function row(job: Job) {
  return {
    id: job.id,
    type: job.type,
    ownerId: job.ownerId,
    status: job.status,
    parentId: job.parentId,
    subject: job.subject,
    createdAt: job.createdAt,
    lastSequence: job.lastSequence,
    data: JSON.stringify(job),
  };
}
