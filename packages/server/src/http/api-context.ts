import type { JobEngine } from '@tidings/jobs';
import type { AccessPolicy } from '../auth/access-policy.js';
import type { AuthService } from '../auth/auth-service.js';
import type { VideoPipeline } from '../videos/video-pipeline.js';
import type { FetchUrlGuard } from './fetch-url-guard.js';

export const API_PREFIX = '/api/v1';

/** What the REST routes use. */
export interface ApiContext {
  readonly engine: JobEngine;
  readonly videos: VideoPipeline;
  readonly auth: AuthService;
  readonly access: AccessPolicy;
  readonly corsOrigins: readonly string[] | '*' | undefined;
  /** Refuses URLs the processors would fetch that point inside the network. */
  readonly urlGuard: FetchUrlGuard;
  /** How long a follow token is valid (FOLLOW_TOKEN_TTL_SECONDS). */
  readonly followTokenTtlSeconds: number;
}
