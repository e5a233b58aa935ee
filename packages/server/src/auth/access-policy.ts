import type { Job } from '@tidings/jobs';
import { scopeCovers } from './follow-scope.js';
import type { Identity } from './identity.js';

/**
 * Who may see and act on a job. With authentication on, a job is its
 * owner's alone (others get 404 from REST and UNAUTHORIZED from the hub);
 * in open development mode everyone may see everything. A follow token reads
 * only the jobs its scope covers, in both modes.
 */
export class AccessPolicy {
  constructor(readonly enforced: boolean) {}

  canAccess(identity: Identity, job: Pick<Job, 'id' | 'ownerId' | 'tags'>): boolean {
    if (identity.follow) return scopeCovers(identity.follow, job, !this.enforced);
    if (!this.enforced) return true;
    return identity.userId !== undefined && job.ownerId === identity.userId;
  }
}
