import type { Job, JobProcessor } from '@tidings/jobs';
import type { ProcessorSet } from '../../src/demo/simulated-processors.js';
import type { SeedSurfacesOptions } from '../../src/surfaces/seed-surfaces.js';
import { serviceFixture } from './service.js';

export * from './service.js';

/** The Conduit master key of the test services. */
export const MASTER_KEY = 'test-master-key-0123456789';

type FixtureOptions = Parameters<typeof serviceFixture>[0];

/** Seed surfaces for tests: a known master key, no demo health flips (they would interleave with what a test waits for). */
export function seedOptions(options: FixtureOptions = {}): FixtureOptions {
  const seeds: SeedSurfacesOptions = { ...options.seeds, conduit: { healthFlipIntervalMs: 0, ...options.seeds?.conduit } };
  return { ...options, config: { conduitMasterKey: MASTER_KEY, ...options.config }, seeds };
}

/** A service with the seed surfaces for a whole `describe`. */
export function seedServiceFixture(options: FixtureOptions = {}) {
  return serviceFixture(seedOptions(options));
}

/**
 * Processors that wait, before doing anything, until the test opens the gate
 * of their job (keyed by `keyOf`): a test can subscribe before the first
 * event, however slow the machine.
 */
export function gated(set: ProcessorSet, keyOf: (job: Job) => string): { processors: ProcessorSet; open(key: string): void } {
  const gates = new Map<string, { promise: Promise<void>; resolve(): void }>();
  const gate = (key: string) => {
    let entry = gates.get(key);
    if (!entry) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      gates.set(key, (entry = { promise, resolve }));
    }
    return entry;
  };
  const processors: Record<string, ProcessorSet[string]> = {};
  for (const [type, definition] of Object.entries(set)) {
    const processor: JobProcessor = async (job, ctx) => {
      await gate(keyOf(job)).promise;
      return definition.processor(job, ctx);
    };
    processors[type] = { ...definition, processor };
  }
  return { processors, open: (key) => gate(key).resolve() };
}

/** Calls `read` until `ok` holds of its result (a REST poll), failing after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
