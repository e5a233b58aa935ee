import { JOB_STATUSES, type Job, type JobStatus, JobStateError, MAX_TAG_LENGTH } from '@tidings/jobs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ID_SCHEMA } from '../../ids.js';
import type { ApiContext } from '../api-context.js';
import { sendError } from '../http-errors.js';
import { jobDto, jobEventDto } from '../job-dto.js';
import { errorResponses, idParams } from '../schemas.js';

interface ById {
  Params: { id: string };
}

/** Jobs: read, list, cancel, retry, and the event history. */
export async function jobRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  /** The job when the caller may see it; another user's job is as good as missing. */
  async function visibleJob(request: FastifyRequest<ById>): Promise<Job | undefined> {
    const job = await ctx.engine.get(request.params.id);
    return job && ctx.access.canAccess(request.identity, job) ? job : undefined;
  }
  const notFound = (id: string) => `Job '${id}' was not found.`;

  /** Runs a state change on a visible job: 404 when it is not, 409 when its state forbids the change. */
  async function act(request: FastifyRequest<ById>, reply: FastifyReply, change: (job: Job) => Promise<unknown>): Promise<unknown> {
    const job = await visibleJob(request);
    if (!job) return sendError(reply, 404, notFound(request.params.id));
    try {
      return await change(job);
    } catch (error) {
      if (error instanceof JobStateError) return sendError(reply, 409, error.message);
      throw error;
    }
  }

  app.get<ById>(
    '/jobs/:id',
    {
      schema: { tags: ['jobs'], summary: 'A job and its stages', params: idParams, response: { 200: { $ref: 'Job#' }, ...errorResponses } },
    },
    async (request, reply) => {
      const job = await visibleJob(request);
      if (!job) return sendError(reply, 404, notFound(request.params.id));
      return jobDto(job);
    },
  );

  app.get<{
    Querystring: { userId?: string; ownerId?: string; status?: JobStatus; jobType?: string; type?: string; tag?: string; videoId?: string; limit: number; offset: number };
  }>(
    '/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Jobs, newest first',
        description:
          'With authentication on, only your own jobs (userId or ownerId, if given, must be yours). ' +
          '`type` and `jobType`, `ownerId` and `userId` are the same filters under two names.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            userId: { type: 'string', minLength: 1, maxLength: 128 },
            ownerId: { type: 'string', minLength: 1, maxLength: 128 },
            status: { type: 'string', enum: [...JOB_STATUSES] },
            jobType: { type: 'string', minLength: 1, maxLength: 100 },
            type: { type: 'string', minLength: 1, maxLength: 100 },
            tag: { type: 'string', minLength: 1, maxLength: MAX_TAG_LENGTH },
            videoId: ID_SCHEMA,
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { jobs: { type: 'array', items: { $ref: 'Job#' } }, limit: { type: 'integer' }, offset: { type: 'integer' } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { status, videoId, tag, limit, offset } = request.query;
      const type = request.query.type ?? request.query.jobType;
      const asked = request.query.ownerId ?? request.query.userId;
      if (request.query.type !== undefined && request.query.jobType !== undefined && request.query.type !== request.query.jobType) {
        return sendError(reply, 400, 'type and jobType name the same filter: give one.');
      }
      if (request.query.ownerId !== undefined && request.query.userId !== undefined && request.query.ownerId !== request.query.userId) {
        return sendError(reply, 400, 'ownerId and userId name the same filter: give one.');
      }
      let ownerId = asked;
      if (ctx.access.enforced) {
        if (asked !== undefined && asked !== request.identity.userId) return sendError(reply, 403, 'You can only list your own jobs.');
        ownerId = request.identity.userId;
      }
      const jobs = await ctx.engine.list({
        ownerId,
        status: status ? [status] : undefined,
        type,
        tag,
        subject: videoId,
        limit,
        offset,
      });
      return { jobs: jobs.map(jobDto), limit, offset };
    },
  );

  app.post<ById>(
    '/jobs/:id/cancel',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a pending or running job (a pipeline cancels its steps)',
        params: idParams,
        response: { 200: { $ref: 'Job#' }, 409: { description: 'Already finished', $ref: 'Error#' }, ...errorResponses },
      },
    },
    (request, reply) =>
      act(request, reply, async (job) => {
        const who = request.identity.userId ? ` by ${request.identity.userId}` : '';
        return jobDto(await ctx.engine.cancel(job.id, `Cancelled${who}`));
      }),
  );

  app.post<ById>(
    '/jobs/:id/retry',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Run a failed or cancelled job again (a pipeline resumes at its first unfinished step)',
        params: idParams,
        response: { 202: { $ref: 'Job#' }, 409: { description: 'Not retryable now', $ref: 'Error#' }, ...errorResponses },
      },
    },
    (request, reply) => act(request, reply, async (job) => reply.code(202).send(jobDto(await ctx.engine.retry(job.id)))),
  );

  app.get<ById & { Querystring: { after: number; limit: number } }>(
    '/jobs/:id/events',
    {
      schema: {
        tags: ['jobs'],
        summary: "The job's progress history, in sequence order",
        description: 'Events with a sequence greater than `after`. Each carries the job as it was right after the event.',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'integer', minimum: 0, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { jobId: { type: 'string' }, lastSequence: { type: 'integer' }, events: { type: 'array', items: { $ref: 'JobEvent#' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const job = await visibleJob(request);
      if (!job) return sendError(reply, 404, notFound(request.params.id));
      const events = await ctx.engine.events(job.id, request.query.after, request.query.limit);
      return { jobId: job.id, lastSequence: job.lastSequence, events: events.map(jobEventDto) };
    },
  );
}
