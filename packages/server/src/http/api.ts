import type { FastifyInstance } from 'fastify';
import { API_PREFIX, type ApiContext } from './api-context.js';
import { sendError } from './http-errors.js';
import { allowConfiguredOrigins, identifyRequests } from './plugin-guards.js';
import { devTokenRoutes } from './routes/dev-tokens.js';
import { followTokenRoutes } from './routes/follow-tokens.js';
import { jobSubmissionRoutes } from './routes/job-submission.js';
import { jobRoutes } from './routes/jobs.js';
import { signalrInfoRoutes } from './routes/signalr-info.js';
import { videoRoutes } from './routes/videos.js';

/** The only routes a follow token may call: reading a job and its events (each route checks the job is in the token's scope). */
const FOLLOW_TOKEN_ROUTES = new Set([`GET ${API_PREFIX}/jobs/:id`, `GET ${API_PREFIX}/jobs/:id/events`]);

/** A follow token reads its job(s) and nothing else: any other route is 403, whatever the mode. */
function confineFollowTokens(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.identity?.follow && !FOLLOW_TOKEN_ROUTES.has(`${request.method} ${request.routeOptions.url ?? ''}`)) {
      return sendError(reply, 403, 'A follow token only reads the job(s) it was issued for: GET /api/v1/jobs/:id and its events.');
    }
  });
}

/** Everything under /api/v1: CORS (when configured), authentication, and the routes. */
export async function api(app: FastifyInstance, options: { readonly context: ApiContext }): Promise<void> {
  const ctx = options.context;
  await allowConfiguredOrigins(app, ctx.corsOrigins);
  identifyRequests(app, ctx.auth, { followTokens: true });
  confineFollowTokens(app);
  await app.register(jobRoutes, ctx);
  await app.register(jobSubmissionRoutes, ctx);
  await app.register(followTokenRoutes, ctx);
  await app.register(videoRoutes, ctx);
  await app.register(signalrInfoRoutes);
  if (ctx.auth.mode === 'open') await app.register(devTokenRoutes, ctx.auth);
}
