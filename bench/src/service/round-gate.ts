/**
 * Holds a round's processors once they are running, so clients can subscribe
 * to every job before any progress is sent, then lets them all go at once.
 */
export class RoundGate {
  private parked = 0;
  private finished = 0;
  private expected = 0;
  private release!: () => void;
  private opened: Promise<void> = Promise.resolve();
  private allParked: (() => void) | undefined;
  private allFinished: (() => void) | undefined;
  private finishedPromise: Promise<void> = Promise.resolve();

  /** Starts a round of `jobs`; resolves once every one of them is running and parked. */
  arm(jobs: number): { parked: Promise<void> } {
    this.parked = 0;
    this.finished = 0;
    this.expected = jobs;
    this.opened = new Promise((resolve) => (this.release = resolve));
    this.finishedPromise = new Promise((resolve) => (this.allFinished = resolve));
    return { parked: new Promise((resolve) => (this.allParked = resolve)) };
  }

  /** Called by a processor once running: resolves when the round is let go. */
  park(): Promise<void> {
    if (++this.parked === this.expected) this.allParked?.();
    return this.opened;
  }

  /** Called by a processor when it has sent its last step. */
  done(): void {
    if (++this.finished === this.expected) this.allFinished?.();
  }

  open(): void {
    this.release();
  }

  /** Every processor of the round has sent its last step. */
  get settled(): Promise<void> {
    return this.finishedPromise;
  }
}

/** The status message of a step: its send call's monotonic time, which the clients read back. */
export const STAMP_PREFIX = 'sent:';

export function stampMessage(sentAtUs: number): string {
  return `${STAMP_PREFIX}${sentAtUs}`;
}

/** The send time in a status message, or undefined for one the bench did not stamp (a snapshot, say). */
export function stampIn(message: string | null | undefined): number | undefined {
  if (!message?.startsWith(STAMP_PREFIX)) return undefined;
  const value = Number(message.slice(STAMP_PREFIX.length));
  return Number.isFinite(value) ? value : undefined;
}
