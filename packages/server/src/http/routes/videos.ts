import type { FastifyInstance } from 'fastify';
import { videoUrlProblem } from '../../videos/video-input.js';
import { PRIORITY_NAMES, parsePriority } from '../../videos/video-pipeline.js';
import { JOB_PROGRESS_HUB_PATH } from '@tidings/contract';
import { API_PREFIX, type ApiContext } from '../api-context.js';
import { sendError } from '../http-errors.js';
import { errorResponses, idParams } from '../schemas.js';
import { jobTraceMetadata } from '../../observability/request-tracing.js';

interface IngestBody {
  url: string;
  userId?: string;
  priority?: number | string;
  title?: string;
}

/** Ingest a video (starts its pipeline) and read its progress. */
export async function videoRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  app.post<{ Body: IngestBody }>(
    '/videos/ingest',
    {
      schema: {
        tags: ['videos'],
        summary: 'Ingest a video: starts its pipeline (ingestion → transcription → embedding generation)',
        description:
          'Answers 202 with the pipeline `jobId` to pass to SubscribeToJob and the `videoId` for SubscribeToVideo. ' +
          'With authentication on, the job is yours (userId, if given, must be yours); in open mode it belongs to `userId`.',
        body: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: {
            url: { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) URL of the video' },
            userId: { type: 'string', minLength: 1, maxLength: 128 },
            priority: { anyOf: [{ type: 'integer' }, { type: 'string' }], description: `0–3 or ${PRIORITY_NAMES.join(', ')}; default 1 (Normal)` },
            title: { type: 'string', maxLength: 300 },
          },
        },
        response: {
          202: {
            type: 'object',
            properties: {
              jobId: { type: 'string' },
              videoId: { type: 'string' },
              status: { type: 'string' },
              message: { type: 'string' },
              url: { type: 'string' },
              userId: { type: ['string', 'null'] },
              priority: { type: 'integer' },
              jobs: {
                type: 'array',
                items: { type: 'object', properties: { jobId: { type: 'string' }, jobType: { type: 'string' }, stage: { type: 'string' } } },
              },
              hubUrl: { type: 'string' },
              progressUrl: { type: 'string' },
              eventsUrl: { type: 'string' },
              createdAt: { type: 'string', format: 'date-time' },
            },
          },
          403: { description: 'userId is not the authenticated user', $ref: 'Error#' },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const problem = videoUrlProblem(body.url, ctx.urlGuard);
      if (problem) return sendError(reply, 400, problem);
      const priority = parsePriority(body.priority);
      if (priority === undefined) {
        return sendError(reply, 400, `priority must be 0 (Low), 1 (Normal), 2 (High) or 3 (Critical), or one of those names; got '${String(body.priority)}'.`);
      }
      const caller = request.identity.userId;
      if (ctx.access.enforced && body.userId !== undefined && body.userId !== caller) {
        return sendError(reply, 403, 'userId must be the authenticated user (or left out).');
      }
      const ownerId = caller ?? body.userId ?? null;
      const { videoId, pipeline, steps } = await ctx.videos.ingest({ url: body.url.trim(), ownerId, priority, title: body.title, metadata: jobTraceMetadata(request) });
      return reply
        .code(202)
        .header('Location', `${API_PREFIX}/jobs/${pipeline.id}`)
        .send({
          jobId: pipeline.id,
          videoId,
          status: pipeline.status,
          message: 'Video ingestion started',
          url: body.url.trim(),
          userId: ownerId,
          priority,
          jobs: steps.map((s, i) => ({ jobId: s.id, jobType: s.type, stage: pipeline.stages[i]?.name ?? s.type })),
          hubUrl: JOB_PROGRESS_HUB_PATH,
          progressUrl: `${API_PREFIX}/videos/${videoId}/progress`,
          eventsUrl: `${API_PREFIX}/jobs/${pipeline.id}/events`,
          createdAt: pipeline.createdAt,
        });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/videos/:id/progress',
    {
      schema: {
        tags: ['videos'],
        summary: "A video's processing progress (the VideoProgressUpdate payload)",
        params: idParams,
        response: { 200: { $ref: 'VideoProgress#' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const pipeline = await ctx.videos.pipelineOf(request.params.id);
      if (!pipeline || !ctx.access.canAccess(request.identity, pipeline)) return sendError(reply, 404, `Video '${request.params.id}' was not found.`);
      return ctx.videos.progress(pipeline);
    },
  );
}
