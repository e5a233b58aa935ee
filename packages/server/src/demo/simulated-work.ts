import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Time passing in place of real work, `speed` times faster than the base
 * durations. Aborting the signal ends the wait by throwing its reason (a
 * cancel or a shutdown), as real work checking its signal would.
 */
export class SimulatedWork {
  constructor(readonly speed: number) {
    if (!(speed > 0)) throw new RangeError(`speed must be positive, not ${speed}.`);
  }

  async wait(baseMs: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    try {
      await sleep(baseMs / this.speed, undefined, { signal });
    } catch (error) {
      signal.throwIfAborted();
      throw error;
    }
  }
}
