import type { Job, JobEngine } from '@tidings/jobs';

/** The three steps of subscribing to a job's events with its current state. */
export interface SnapshotSubscription<A> {
  /**
   * Decides whether the caller may follow the job (which may not exist): returns what the
   * snapshot is built from, or undefined to refuse — having told the caller why — or throws.
   */
  authorize(job: Job | undefined): A | undefined | Promise<A | undefined>;
  /** Joins the caller to the group the job's later events go to. */
  join(allowed: A): Promise<void>;
  /** Sends the caller the state it joined at. */
  sendSnapshot(allowed: A): Promise<void>;
}

/**
 * Load → authorize → join → snapshot, all between two of the job's events
 * (`withJobState`): the state sent is exactly what the group has been sent so
 * far, so the caller sees every later event once, in order — none missed
 * between reading and joining, none doubled. Resolves true when subscribed.
 */
export async function subscribeWithSnapshot<A>(
  engine: Pick<JobEngine, 'withJobState'>,
  jobId: string,
  subscription: SnapshotSubscription<A>,
): Promise<boolean> {
  return engine.withJobState(jobId, async (job) => {
    const allowed = await subscription.authorize(job);
    if (allowed === undefined) return false;
    await subscription.join(allowed);
    await subscription.sendSnapshot(allowed);
    return true;
  });
}
