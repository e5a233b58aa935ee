import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './api-context.js';
import { allowConfiguredOrigins, identifyRequests } from './plugin-guards.js';
import { devTokenRoutes } from './routes/dev-tokens.js';
import { jobRoutes } from './routes/jobs.js';
import { signalrInfoRoutes } from './routes/signalr-info.js';
import { videoRoutes } from './routes/videos.js';

/** Everything under /api/v1: CORS (when configured), authentication, and the routes. */
export async function api(app: FastifyInstance, options: { readonly context: ApiContext }): Promise<void> {
  const ctx = options.context;
  await allowConfiguredOrigins(app, ctx.corsOrigins);
  identifyRequests(app, ctx.auth);
  await app.register(jobRoutes, ctx);
  await app.register(videoRoutes, ctx);
  await app.register(signalrInfoRoutes);
  if (ctx.auth.mode === 'open') await app.register(devTokenRoutes, ctx.auth);
}
