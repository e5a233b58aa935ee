/// <reference types="@fastify/swagger" preserve="true" />
// (Plugins' route schemas carry OpenAPI `tags` and `summary`, which @fastify/swagger adds to fastify's schema type.)
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AuthService, Unauthenticated } from '../auth/auth-service.js';
import type { FailedAuthThrottle } from '../auth/failed-auth-throttle.js';
import type { Identity } from '../auth/identity.js';
import { tooManyFailedAttempts, unauthorized } from './http-errors.js';

/** Why a request's credential is refused; `guess` when one was presented (and so counts as a failed attempt). */
export interface CredentialRefusal {
  readonly message: string;
  readonly guess: boolean;
}

/** CORS for a plugin's routes, as configured for the service (CORS_ORIGINS; unset: same-origin only). */
export async function allowConfiguredOrigins(app: FastifyInstance, corsOrigins: readonly string[] | '*' | undefined): Promise<void> {
  if (corsOrigins) await app.register(cors, { origin: corsOrigins === '*' ? true : [...corsOrigins], credentials: true });
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, by the service's rules: set for every request of `/api/v1` and of each plugin that calls identifyRequests. */
    identity: Identity;
  }
}

/**
 * Every request of this plugin gets its caller's `request.identity` by the
 * service's rules; a refused one gets 401 with the Bearer challenge. Follow
 * tokens are refused (401) unless `followTokens` is set (the core API only).
 * Preflights carry no credentials and pass.
 */
export function identifyRequests(app: FastifyInstance, auth: AuthService, options: { readonly followTokens?: boolean } = {}): void {
  app.decorateRequest('identity');
  authenticateRequests(app, auth.failures, async (request) => {
    const token = auth.tokenOf(request.raw);
    try {
      request.identity = await auth.identify(token, options);
      return undefined;
    } catch (error) {
      if (!(error instanceof Unauthenticated)) throw error;
      return { message: error.message, guess: token !== undefined };
    }
  });
}

/**
 * Checks every request of this plugin (preflights carry no credentials and
 * pass) with `check`: a refusal gets 401 with the Bearer challenge, and a
 * refused credential counts against the client IP. An IP past the limit gets
 * 429 with `Retry-After` before its credential is looked at.
 */
export function authenticateRequests(
  app: FastifyInstance,
  throttle: FailedAuthThrottle,
  check: (request: FastifyRequest) => Promise<CredentialRefusal | undefined>,
): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return;
    const retryAfter = await throttle.retryAfterSeconds(request.ip);
    if (retryAfter > 0) return tooManyFailedAttempts(reply, retryAfter);
    const refusal = await check(request);
    if (!refusal) return;
    if (refusal.guess) await throttle.failed(request.ip);
    return unauthorized(reply, refusal.message);
  });
}
