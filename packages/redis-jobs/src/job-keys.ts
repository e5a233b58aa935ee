/**
 * Names of the job store's keys and channels, all under `{prefix}:jobs:`. The
 * store's Lua scripts (store-scripts.ts) build the same job and index key
 * names from that base.
 */
export class JobKeys {
  readonly base: string;
  /** Every event of every job, in the order they were stored: what API nodes tail. */
  readonly feed: string;
  /** Counter giving each inserted job its place in listings (newest first). */
  readonly order: string;
  /** Index of every job. */
  readonly all: string;
  /** Cancel requests and aborts for the workers. */
  readonly controlChannel: string;

  constructor(prefix: string) {
    this.base = `${prefix}:jobs:`;
    this.feed = `${this.base}feed`;
    this.order = `${this.base}order`;
    this.all = `${this.base}all`;
    this.controlChannel = `${this.base}control`;
  }

  /** Hash: the job's JSON, its last sequence, its indexed fields and fencing fields. */
  job(id: string): string {
    return `${this.base}job:${id}`;
  }

  /** Stream: the job's event history, entry id `{sequence}-0`. */
  events(id: string): string {
    return `${this.base}events:${id}`;
  }

  /** Sorted set of the jobs whose `field` is `value` (score: insertion order). */
  index(field: IndexedField, value: string | null): string | undefined {
    if (value === null) return field === 'parent' ? `${this.base}top` : undefined;
    return `${this.base}${field}:${value}`;
  }

  /** Sorted set of the jobs tagged `tag` (score: insertion order); tags are set once, at creation. */
  tag(tag: string): string {
    return `${this.base}tag:${tag}`;
  }

  /** Hash: idempotency scope (owner and key) → the id of the job created with it. */
  get idempotency(): string {
    return `${this.base}idempotency`;
  }

  /** Where the node answering control requests gets its replies. */
  replyChannel(nodeId: string): string {
    return `${this.base}control:reply:${nodeId}`;
  }

  temporary(id: string): string {
    return `${this.base}tmp:${id}`;
  }
}

/** Job fields that listings filter on, in the order the scripts receive them. */
export const INDEXED_FIELDS = ['status', 'owner', 'subject', 'type', 'parent'] as const;
export type IndexedField = (typeof INDEXED_FIELDS)[number];
