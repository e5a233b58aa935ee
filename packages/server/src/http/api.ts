import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { Unauthenticated } from '../auth/auth-service.js';
import type { ApiContext } from './api-context.js';
import { sendError } from './http-errors.js';
import { devTokenRoutes } from './routes/dev-tokens.js';
import { jobRoutes } from './routes/jobs.js';
import { signalrInfoRoutes } from './routes/signalr-info.js';
import { videoRoutes } from './routes/videos.js';

/** Everything under /api/v1: CORS (when configured), authentication, and the routes. */
export async function api(app: FastifyInstance, options: { readonly context: ApiContext }): Promise<void> {
  const ctx = options.context;
  if (ctx.corsOrigins) {
    await app.register(cors, { origin: ctx.corsOrigins === '*' ? true : [...ctx.corsOrigins], credentials: true });
  }
  app.decorateRequest('identity');
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return; // preflights carry no credentials
    try {
      request.identity = await ctx.auth.identify(ctx.auth.tokenOf(request.raw));
    } catch (error) {
      if (!(error instanceof Unauthenticated)) throw error;
      reply.header('WWW-Authenticate', 'Bearer');
      return sendError(reply, 401, error.message);
    }
  });
  await app.register(jobRoutes, ctx);
  await app.register(videoRoutes, ctx);
  await app.register(signalrInfoRoutes);
  if (ctx.auth.mode === 'open') await app.register(devTokenRoutes, ctx.auth);
}
