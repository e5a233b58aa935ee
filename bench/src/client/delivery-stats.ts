import { type RecordableHistogram, createHistogram } from 'node:perf_hooks';
import { monotonicMicros } from '../clock.js';
import { type JobProgressUpdate, SENT_AT_KEY } from '../contract.js';
import { matchesAt } from './bytes.js';

const STAMP_MARKER = Buffer.from(`"${SENT_AT_KEY}":`);
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export interface RoundResult {
  readonly count: number;
  /** Monotonic time of the delivery that completed the round. */
  readonly lastAtUs: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** WebSocket messages the bare counters read this round (0 for client libraries): deliveries ÷ frames is the batching. */
  readonly frames: number;
}

/**
 * Counts deliveries across every connection of the client process, round by
 * round, and with latency on, records receipt minus send time per delivery.
 */
export class DeliveryStats {
  private count = 0;
  private target = Number.POSITIVE_INFINITY;
  private previousTarget = 0;
  private lastAtUs = 0;
  /** Receipt time of the frame being read, taken on its first delivery. */
  private frameAtUs = 0;
  private frames = 0;
  private latency: RecordableHistogram | undefined;
  private onTarget: (() => void) | undefined;
  /** Connections lost after subscribing; a round cannot complete without them. */
  dropped = 0;

  /**
   * Starts a round that ends when `deliveries` have arrived. Returns how many
   * arrived beyond what the last round expected: anything but 0 means a
   * counter or a server miscounted.
   */
  arm(deliveries: number, latency: boolean): number {
    const excess = this.count - this.previousTarget;
    this.count = 0;
    this.frames = 0;
    this.previousTarget = deliveries;
    this.target = deliveries;
    this.lastAtUs = 0;
    this.latency = latency ? createHistogram() : undefined;
    return excess;
  }

  beginFrame(): void {
    this.frameAtUs = 0;
    this.frames++;
  }

  /** One delivery, found at `frame[start, end)`. */
  deliver(frame: Buffer, start: number, end: number): void {
    if (this.latency) {
      if (this.frameAtUs === 0) this.frameAtUs = monotonicMicros();
      this.recordLatency(this.frameAtUs - sentAtIn(frame, start, end));
    }
    if (++this.count === this.target) this.reachTarget();
  }

  /** One delivery already decoded by a client library. */
  deliverDecoded(update: JobProgressUpdate): void {
    const sentAtUs = update.metadata.sentAtUs;
    if (this.latency && sentAtUs === undefined) throw new Error(`A delivery carried no ${SENT_AT_KEY}.`);
    this.deliverStamped(sentAtUs ?? 0);
  }

  /** One delivery sent at `sentAtUs` (monotonic µs), read from the payload by the caller. */
  deliverStamped(sentAtUs: number): void {
    if (this.latency) this.recordLatency(monotonicMicros() - sentAtUs);
    if (++this.count === this.target) this.reachTarget();
  }

  /** Resolves once the round's deliveries have arrived; fails after `timeoutMs` with what did arrive. */
  settle(timeoutMs: number): Promise<RoundResult> {
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.onTarget = undefined;
        resolve({ count: this.count, lastAtUs: this.lastAtUs, p50Ms: this.percentileMs(50), p99Ms: this.percentileMs(99), frames: this.frames });
      };
      const timer = setTimeout(() => {
        this.onTarget = undefined;
        reject(new Error(`Only ${this.count} of ${this.target} deliveries arrived within ${timeoutMs} ms (${this.dropped} connections dropped).`));
      }, timeoutMs);
      if (this.count >= this.target) finish();
      else this.onTarget = finish;
    });
  }

  private reachTarget(): void {
    this.lastAtUs = this.frameAtUs || monotonicMicros();
    this.onTarget?.();
  }

  private recordLatency(micros: number): void {
    this.latency!.record(Math.max(1, Math.round(micros)));
  }

  private percentileMs(percentile: number): number | null {
    return this.latency && this.latency.count > 0 ? this.latency.percentile(percentile) / 1000 : null;
  }
}

/**
 * The send stamp inside one delivery, read straight from its JSON bytes. The
 * stamp is the payload's last number (metadata closes the update), so the
 * scan runs backwards from the end: a few bytes instead of the whole record.
 */
function sentAtIn(frame: Buffer, start: number, end: number): number {
  let last = end - 1;
  while (last > start && !isDigit(frame[last]!)) last--;
  let first = last;
  while (first > start && isDigit(frame[first - 1]!)) first--;
  const markerAt = first - STAMP_MARKER.length;
  if (markerAt < start || !matchesAt(frame, markerAt, STAMP_MARKER)) throw new Error(`A delivery carried no ${SENT_AT_KEY}.`);
  let value = 0;
  for (let i = first; i <= last; i++) value = value * 10 + (frame[i]! - DIGIT_0);
  return value;
}

function isDigit(byte: number): boolean {
  return byte >= DIGIT_0 && byte <= DIGIT_9;
}
