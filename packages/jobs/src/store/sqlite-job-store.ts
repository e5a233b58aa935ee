import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type JobDelta, isDeltaKind, jobDelta, withDelta } from '../job-delta.js';
import { type Job, type JobEvent, type JobEventKind, type JobFilter, type JobOutputItem, withCurrentFields } from '../model.js';
import { GroupCommit } from './group-commit.js';
import type { JobStore } from './job-store.js';
import { WalCheckpointer } from './wal-checkpointer.js';

const SCHEMA_VERSION = 4;

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

/**
 * Slim progress (version 4): a progress, stage or output event is stored as
 * a JobDelta (`whole` 0) and leaves the job's row alone; the row is rewritten
 * by status changes and saves only. A progress tick wrote the whole job twice
 * (row and history), a kilobyte or more and two pages each; now it writes a
 * couple of hundred bytes once. Reads put the latest delta over the row, and the
 * history rebuilds each delta event's job from the last whole one before it,
 * found through a small index of whole events.
 */
const MIGRATE_TO_4 = `
ALTER TABLE job_events ADD COLUMN whole INTEGER NOT NULL DEFAULT 1;
CREATE INDEX job_events_whole ON job_events (job_id, sequence) WHERE whole = 1;
`;

interface JobRow {
  data: string;
}

/** A job's row with its latest event, when that event is a delta stored after the row was written. */
interface CurrentRow {
  data: string;
  row_sequence: number;
  event_sequence: number | null;
  event_data: string | null;
  whole: number | null;
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
  whole: number;
}

/** Each job's row with its latest event (the index finds it in one step). */
const CURRENT = `SELECT j.data AS data, j.last_sequence AS row_sequence, e.sequence AS event_sequence, e.data AS event_data, e.whole AS whole
  FROM jobs j LEFT JOIN job_events e ON e.job_id = j.id AND e.sequence = (SELECT max(sequence) FROM job_events WHERE job_id = j.id)`;

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
  private readonly checkpointer: WalCheckpointer | undefined;
  /**
   * Jobs saved (a checkpoint, say) since their last event: the next one is
   * stored whole, so the history's rebuilt jobs carry what the save changed.
   */
  private readonly savedSinceEvent = new Set<string>();

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
          if (version < 4) this.db.exec(MIGRATE_TO_4);
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
      byIdempotency: this.db.prepare<[string], { id: string }>('SELECT id FROM jobs WHERE idempotency = ?'),
      update: this.db.prepare(
        `UPDATE jobs SET status = @status, owner_id = @ownerId, subject = @subject, last_sequence = @lastSequence, data = @data WHERE id = @id`,
      ),
      get: this.db.prepare<[string], CurrentRow>(`${CURRENT} WHERE j.id = ?`),
      exists: this.db.prepare<[string], { one: number }>('SELECT 1 AS one FROM jobs WHERE id = ?'),
      lastEvent: this.db.prepare<[string], { sequence: number | null }>('SELECT max(sequence) AS sequence FROM job_events WHERE job_id = ?'),
      indexed: this.db.prepare<[string], IndexedRow>('SELECT last_sequence, status, owner_id, subject FROM jobs WHERE id = ?'),
      // Leaves the indexed columns alone: a change of none of them need not dirty their index pages.
      updateState: this.db.prepare('UPDATE jobs SET last_sequence = @lastSequence, data = @data WHERE id = @id'),
      insertEvent: this.db.prepare('INSERT INTO job_events (job_id, sequence, kind, at, data, output, whole) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      events: this.db.prepare<[string, number, number], EventRow>(
        'SELECT job_id, sequence, kind, at, data, output, whole FROM job_events WHERE job_id = ? AND sequence > ? ORDER BY sequence LIMIT ?',
      ),
      wholeBefore: this.db.prepare<[string, number], JobRow>(
        'SELECT data FROM job_events WHERE job_id = ? AND whole = 1 AND sequence < ? ORDER BY sequence DESC LIMIT 1',
      ),
      row: this.db.prepare<[string], JobRow>('SELECT data FROM jobs WHERE id = ?'),
    };
    this.commits = new GroupCommit(this.db);
    if (path !== ':memory:') {
      this.checkpointer = new WalCheckpointer(path);
      // The fallback, should the checkpoint thread fall behind: ten times its threshold.
      this.db.pragma('wal_autocheckpoint = 10000');
    }
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
      if (existing) return this.readJob(existing.id);
      this.insertRow(job);
      return undefined;
    });
  }

  async getJob(id: string): Promise<Job | undefined> {
    this.commits.flush();
    return this.readJob(id);
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
    const sql = `${CURRENT} ${where.length ? `WHERE ${where.map((w) => `j.${w}`).join(' AND ')}` : ''}
      ORDER BY j.created_at DESC, j.rowid DESC LIMIT ? OFFSET ?`;
    params.push(filter.limit ?? -1, filter.offset ?? 0);
    return (this.db.prepare(sql).all(...params) as CurrentRow[]).map(currentJob);
  }

  /** Keeps the stored sequence: `job` may be a copy taken before its latest event was stored. */
  saveJob(job: Job): Promise<void> {
    return this.commits.submit(() => {
      if (!this.statements.exists.get(job.id)) throw new Error(`Cannot save job '${job.id}': it is not in the store.`);
      const lastSequence = this.statements.lastEvent.get(job.id)?.sequence ?? 0;
      this.statements.update.run(row({ ...job, lastSequence }));
      this.savedSinceEvent.add(job.id);
    });
  }

  appendEvent(job: Job, kind: JobEventKind, at: string, output?: JobOutputItem): Promise<JobEvent> {
    return this.commits.submit((): JobEvent => {
      const last = this.statements.lastEvent.get(job.id)?.sequence ?? null;
      // Stored whole, the event rewrites the job's row. A delta leaves it alone: the job's earlier
      // events say it exists, except for its first event, which is stored whole too.
      const whole = last === null || !isDeltaKind(kind) || this.savedSinceEvent.has(job.id);
      const current = whole ? this.statements.indexed.get(job.id) : undefined;
      if (whole && !current) throw new Error(`Cannot record an event for job '${job.id}': it is not in the store.`);
      const sequence = (last ?? 0) + 1;
      // The caller's copy becomes the event's state (JobStore.appendEvent): no second copy per event.
      job.lastSequence = sequence;
      const outputJson = output === undefined ? null : JSON.stringify(output);
      if (current) {
        this.savedSinceEvent.delete(job.id);
        const stored = row(job);
        const unchanged = current.status === job.status && current.owner_id === job.ownerId && current.subject === job.subject;
        (unchanged ? this.statements.updateState : this.statements.update).run(unchanged ? { id: stored.id, lastSequence: sequence, data: stored.data } : stored);
        this.statements.insertEvent.run(job.id, sequence, kind, at, stored.data, outputJson, 1);
      } else {
        this.statements.insertEvent.run(job.id, sequence, kind, at, JSON.stringify(jobDelta(job)), outputJson, 0);
      }
      return output === undefined ? { jobId: job.id, sequence, kind, at, job } : { jobId: job.id, sequence, kind, at, job, output };
    });
  }

  async listEvents(jobId: string, after: number, limit: number): Promise<JobEvent[]> {
    this.commits.flush();
    const rows = this.statements.events.all(jobId, after, limit);
    let base: Job | undefined;
    return rows.map((r) => {
      let job: Job;
      if (r.whole === 1) {
        job = parseJob(r.data);
        base = job;
      } else {
        base ??= this.baseBefore(jobId, r.sequence);
        job = withDelta(base, JSON.parse(r.data) as JobDelta, r.sequence);
      }
      const event: JobEvent = { jobId: r.job_id, sequence: r.sequence, kind: r.kind, at: r.at, job };
      return r.output === null ? event : { ...event, output: JSON.parse(r.output) as JobOutputItem };
    });
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.commits.flush();
    await this.checkpointer?.close();
    this.db.close();
  }

  /**
   * The job as of the last whole event before `sequence`: every delta event
   * has one, but for a job whose events all are deltas (reported through a
   * ProgressNotifier from its first), whose row then is the base.
   */
  private baseBefore(jobId: string, sequence: number): Job {
    const found = this.statements.wholeBefore.get(jobId, sequence) ?? this.statements.row.get(jobId);
    if (!found) throw new Error(`The history of job '${jobId}' has no state to rebuild its events from.`);
    return parseJob(found.data);
  }

  /** The job as its row stores it, brought up to its latest event. */
  private readJob(id: string): Job | undefined {
    const found = this.statements.get.get(id);
    return found ? currentJob(found) : undefined;
  }

  private insertRow(job: Job): void {
    this.statements.insert.run({ ...row(job), idempotency: idempotencyScope(job) });
    for (const tag of job.tags) this.statements.insertTag.run(tag, job.id);
  }
}

function parseJob(data: string): Job {
  return withCurrentFields(JSON.parse(data) as Job);
}

/** The row's job with its latest event's delta when that came after the row was written. */
function currentJob(found: CurrentRow): Job {
  const job = parseJob(found.data);
  if (found.whole !== 0 || found.event_sequence === null || found.event_data === null || found.event_sequence <= found.row_sequence) return job;
  return withDelta(job, JSON.parse(found.event_data) as JobDelta, found.event_sequence);
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
