import { MAX_TAG_LENGTH } from '@tidings/jobs';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { sendError } from '../http-errors.js';
import { errorResponses, idParams } from '../schemas.js';

const tokenResponse = {
  type: 'object',
  properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } },
} as const;

/**
 * Follow tokens: a short-lived token for a browser (or any client without a
 * user session) that follows one job, or every job of the caller's with one
 * tag, and reads nothing else.
 */
export async function followTokenRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  app.post<{ Params: { id: string } }>(
    '/jobs/:id/subscribe-token',
    {
      schema: {
        tags: ['jobs'],
        summary: 'A short-lived token that follows this job (hub, GET /jobs/:id, its events) and nothing else',
        description: "Only the job's owner (or anyone in open development mode) may mint one.",
        params: idParams,
        response: { 200: tokenResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const job = await ctx.engine.get(request.params.id);
      if (!job || !ctx.access.canAccess(request.identity, job)) return sendError(reply, 404, `Job '${request.params.id}' was not found.`);
      return ctx.auth.issueFollowToken({ kind: 'job', jobId: job.id }, ctx.followTokenTtlSeconds);
    },
  );

  app.post<{ Params: { tag: string } }>(
    '/tags/:tag/subscribe-token',
    {
      schema: {
        tags: ['jobs'],
        summary: 'A short-lived token that follows every job of yours with this tag (new ones included) and nothing else',
        params: { type: 'object', required: ['tag'], properties: { tag: { type: 'string', minLength: 1, maxLength: MAX_TAG_LENGTH } } },
        response: { 200: tokenResponse, ...errorResponses },
      },
    },
    async (request) => ctx.auth.issueFollowToken({ kind: 'tag', tag: request.params.tag, ownerId: request.identity.userId ?? null }, ctx.followTokenTtlSeconds),
  );
}
