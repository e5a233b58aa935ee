interface Watched {
  readonly deadline: number;
  readonly reject: (error: Error) => void;
  settled: boolean;
}

/** The deliveries of one timeout length, oldest first: their deadlines come in the order they were added. */
class Lane {
  private items: Watched[] = [];
  private head = 0;

  constructor(readonly timeoutMs: number) {}

  push(item: Watched): void {
    this.items.push(item);
  }

  /** The oldest delivery not yet settled (settled ones at the front are dropped). */
  first(): Watched | undefined {
    while (this.head < this.items.length && this.items[this.head]!.settled) this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return this.items[this.head];
  }
}

/**
 * Sink timeouts for every delivery of the process on one timer: each
 * delivery waiting on a sink is a small record in a lane per timeout length
 * (so deadlines in a lane come in order), and the one timer is set for the
 * earliest of them (it holds the process up only while a delivery is
 * unsettled). A timer per delivery cost a timer-list insert and removal on
 * every event; this costs a push and a flag.
 */
export class SinkDeadlines {
  private readonly lanes = new Map<number, Lane>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** Deliveries not yet settled: the timer runs (and keeps the process up, as a hung sink's timeout should) only while some are. */
  private unsettled = 0;

  /** `promise`, or a rejection saying it did not finish within `ms` once that has passed. */
  within<T>(promise: PromiseLike<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const watched: Watched = { deadline: performance.now() + ms, reject, settled: false };
      let lane = this.lanes.get(ms);
      if (!lane) this.lanes.set(ms, (lane = new Lane(ms)));
      lane.push(watched);
      if (this.unsettled++ === 0) this.timer?.ref();
      if (watched.deadline < this.timerAt) this.arm(watched.deadline);
      promise.then(
        (value) => {
          this.settle(watched);
          resolve(value);
        },
        (error: unknown) => {
          this.settle(watched);
          reject(error);
        },
      );
    });
  }

  private settle(watched: Watched): void {
    if (watched.settled) return;
    watched.settled = true;
    // Nothing left to time out: the timer may fire for nothing later, but must not keep the process up.
    if (--this.unsettled === 0) this.timer?.unref();
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.expire, Math.max(0, at - performance.now()));
    if (this.unsettled === 0) this.timer.unref();
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [ms, lane] of this.lanes) {
      for (let first = lane.first(); first && first.deadline <= now; first = lane.first()) {
        this.settle(first);
        first.reject(new Error(`did not finish within ${lane.timeoutMs} ms`));
      }
      const first = lane.first();
      if (first) next = Math.min(next, first.deadline);
      else this.lanes.delete(ms);
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
  };
}
