/// <reference types="@fastify/swagger" preserve="true" />
// (Plugins' route schemas carry OpenAPI `tags` and `summary`, which @fastify/swagger adds to fastify's schema type.)
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { type AuthService, Unauthenticated } from '../auth/auth-service.js';
import type { Identity } from '../auth/identity.js';
import { unauthorized } from './http-errors.js';

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
 * service's rules; a refused one gets 401 with the Bearer challenge.
 * Preflights carry no credentials and pass.
 */
export function identifyRequests(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('identity');
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return;
    try {
      request.identity = await auth.identify(auth.tokenOf(request.raw));
    } catch (error) {
      if (!(error instanceof Unauthenticated)) throw error;
      return unauthorized(reply, error.message);
    }
  });
}
