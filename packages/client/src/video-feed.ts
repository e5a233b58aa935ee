import type { VideoProgressUpdate } from '@tidings/contract';

/**
 * One video as the client follows it. A `VideoProgressUpdate` is the whole
 * state, so nothing is fetched after a gap: the next update (or the state the
 * hub sends on re-subscribing) supersedes what was missed. Stale and repeated
 * updates — sequence not above the last — are dropped.
 */
export class VideoFeed {
  /** `subscribeToVideo` was called and not undone. */
  explicit = false;
  private last: VideoProgressUpdate | undefined;
  private readonly watchers = new Set<(update: VideoProgressUpdate) => void>();

  constructor(
    readonly videoId: string,
    private readonly emit: (update: VideoProgressUpdate) => void,
    private readonly onWatcherError: (error: unknown) => void,
  ) {}

  get wanted(): boolean {
    return this.explicit || this.watchers.size > 0;
  }

  push(update: VideoProgressUpdate): void {
    if (this.last && update.sequence <= this.last.sequence) return;
    this.last = update;
    this.emit(update);
    for (const watcher of [...this.watchers]) this.call(watcher, update);
  }

  /** Adds a watcher, told the latest state at once if there is one; returns how to remove it. */
  watch(handler: (update: VideoProgressUpdate) => void): () => boolean {
    // A wrapper per call: the same function watching twice is two watchers.
    const entry = (update: VideoProgressUpdate) => handler(update);
    this.watchers.add(entry);
    if (this.last) this.call(entry, this.last);
    return () => this.watchers.delete(entry);
  }

  private call(handler: (update: VideoProgressUpdate) => void, update: VideoProgressUpdate): void {
    try {
      handler(update);
    } catch (error) {
      this.onWatcherError(error);
    }
  }
}
