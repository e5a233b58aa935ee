/**
 * Projects when a job will finish from the rate it has progressed at since
 * its current attempt began (the average rate: steadier than the last step's).
 */
export class EtaEstimator {
  constructor(
    private readonly startedAt: number,
    private readonly startProgress: number,
  ) {}

  /** Epoch ms of the projected finish, or undefined while there is no rate yet. */
  estimate(now: number, progress: number): number | undefined {
    if (progress >= 100) return now;
    const elapsed = now - this.startedAt;
    const done = progress - this.startProgress;
    if (elapsed <= 0 || done <= 0) return undefined;
    return Math.round(now + ((100 - progress) * elapsed) / done);
  }
}
