import type { Awaitable } from './awaitable.js';

/**
 * News of revoked virtual keys, to every node that may hold connections of
 * them: within the node on SQLite, through Redis pub/sub in scaled mode.
 */
export interface KeyRevocations {
  /** Tells every node (this one too) that key `id` was revoked. */
  announce(id: string): Awaitable<void>;
  /**
   * `revoked(id)` for each announced key; `missed()` when announcements may have been
   * lost (the subscription to Redis was re-established): check the keys of the open connections.
   */
  listen(listener: { revoked(id: string): void; missed(): void }): void;
}

/** Revocations within one node: the listener hears them at once. */
export class LocalKeyRevocations implements KeyRevocations {
  private readonly listeners: { revoked(id: string): void }[] = [];

  announce(id: string): void {
    for (const listener of this.listeners) listener.revoked(id);
  }

  listen(listener: { revoked(id: string): void; missed(): void }): void {
    this.listeners.push(listener);
  }
}
