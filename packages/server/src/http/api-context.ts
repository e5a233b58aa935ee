import type { JobEngine } from '@tidings/jobs';
import type { AccessPolicy } from '../auth/access-policy.js';
import type { AuthService } from '../auth/auth-service.js';
import type { VideoPipeline } from '../videos/video-pipeline.js';

export const API_PREFIX = '/api/v1';

/** What the REST routes use. */
export interface ApiContext {
  readonly engine: JobEngine;
  readonly videos: VideoPipeline;
  readonly auth: AuthService;
  readonly access: AccessPolicy;
  readonly corsOrigins: readonly string[] | '*' | undefined;
}
