interface Pending {
  readonly node: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

/** Requests this node sent to another node, waiting for the reply on our node channel. */
export class PendingRequests {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  /**
   * A new request id to `node` and the promise its reply settles. Without a
   * reply within `timeoutMs` (none when not a positive finite number) the
   * promise rejects with `onTimeout()`.
   */
  create(node: string, timeoutMs: number, onTimeout: () => Error): { id: number; reply: Promise<unknown> } {
    const id = ++this.nextId;
    const reply = new Promise<unknown>((resolve, reject) => {
      const entry: Pending = { node, resolve, reject, timer: undefined };
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(onTimeout());
        }, timeoutMs);
      }
      this.pending.set(id, entry);
    });
    return { id, reply };
  }

  resolve(id: number, value: unknown): void {
    this.take(id)?.resolve(value);
  }

  reject(id: number, error: Error): void {
    this.take(id)?.reject(error);
  }

  /** Fails every request waiting on `node` (it was found dead). */
  rejectNode(node: string, error: (id: number) => Error): void {
    for (const [id, entry] of [...this.pending]) if (entry.node === node) this.reject(id, error(id));
  }

  rejectAll(error: Error): void {
    for (const id of [...this.pending.keys()]) this.reject(id, error);
  }

  private take(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    if (entry.timer) clearTimeout(entry.timer);
    return entry;
  }
}
