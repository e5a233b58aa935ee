import { JOB_PROGRESS_HUB_PATH, JOB_PROGRESS_METHODS } from '@tidings/contract';
import { JobInputError, MAX_IDEMPOTENCY_KEY_LENGTH, type NewJob, MAX_TAGS, MAX_TAG_LENGTH, UnknownJobTypeError } from '@tidings/jobs';
import type { FastifyInstance } from 'fastify';
import { VIDEO_PROCESSING_INPUT, parseVideoInput } from '../../videos/video-input.js';
import { PIPELINE_TYPE, PRIORITY_NAMES, parsePriority } from '../../videos/video-pipeline.js';
import { API_PREFIX, type ApiContext } from '../api-context.js';
import { jobTraceMetadata } from '../../observability/request-tracing.js';
import { sendError } from '../http-errors.js';
import { jobDto } from '../job-dto.js';
import { errorResponses } from '../schemas.js';

interface SubmitBody {
  type: string;
  input?: unknown;
  priority?: number | string;
  tags?: string[];
  idempotencyKey?: string;
  delayMs?: number;
  token?: boolean;
}

const MAX_DELAY_MS = 30 * 24 * 60 * 60 * 1000;

/** Any JSON Schema (a document, not validated here). */
const anySchema = {} as const;

/** Any registered job type: submit one (`POST /jobs`), and list them with their schemas (`GET /job-types`). */
export async function jobSubmissionRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  /** The types a caller may submit: the video pipeline (a flow, so not an engine type of its own) and every registered one. */
  const knownTypes = () => [...new Set([PIPELINE_TYPE, ...ctx.engine.jobTypes.map((t) => t.name)])].sort();

  app.get(
    '/job-types',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Every job type POST /jobs accepts, with the JSON Schema of its input (and of its metadata and output when declared)',
        response: {
          200: {
            type: 'object',
            properties: {
              jobTypes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { name: { type: 'string' }, input: anySchema, metadata: anySchema, output: anySchema },
                },
              },
            },
          },
        },
      },
    },
    async () => {
      const registered = ctx.engine.jobTypes.map((t) => ({
        name: t.name,
        input: t.input,
        ...(t.metadata ? { metadata: t.metadata } : {}),
        ...(t.output ? { output: t.output } : {}),
      }));
      const jobTypes = [{ name: PIPELINE_TYPE, input: VIDEO_PROCESSING_INPUT }, ...registered.filter((t) => t.name !== PIPELINE_TYPE)];
      // JSON round trip: TypeBox marks its schemas with symbols, which are no part of the document.
      return { jobTypes: JSON.parse(JSON.stringify(jobTypes.sort((a, b) => a.name.localeCompare(b.name)))) as unknown };
    },
  );

  app.post<{ Body: SubmitBody }>(
    '/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Submit a job of any registered type',
        description:
          "The input is checked against the type's schema (GET /job-types), strictly: nothing coerced or dropped. " +
          'Answers 202 with the job and how to follow it on /hubs/job-progress (with a follow token when `token` is true); ' +
          'an idempotencyKey you already used answers 200 with that job. `VideoProcessing` ({url, title?}) starts the video pipeline, as POST /videos/ingest does.',
        body: {
          type: 'object',
          required: ['type'],
          additionalProperties: false,
          properties: {
            type: { type: 'string', minLength: 1, maxLength: 100 },
            input: { description: "The job's input: whatever the type's schema accepts" },
            priority: { anyOf: [{ type: 'integer' }, { type: 'string' }], description: `0–3 or ${PRIORITY_NAMES.join(', ')}; default 1 (Normal)` },
            tags: { type: 'array', maxItems: MAX_TAGS, items: { type: 'string', minLength: 1, maxLength: MAX_TAG_LENGTH } },
            idempotencyKey: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH },
            delayMs: { type: 'integer', minimum: 0, maximum: MAX_DELAY_MS },
            token: { type: 'boolean', description: 'Also mint a follow token for the job (see POST /jobs/:id/subscribe-token)' },
          },
        },
        response: {
          200: { description: 'The job this idempotencyKey already created', $ref: 'JobSubmission#' },
          202: { $ref: 'JobSubmission#' },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const priority = parsePriority(body.priority);
      if (priority === undefined) {
        return sendError(reply, 400, `priority must be 0 (Low), 1 (Normal), 2 (High) or 3 (Critical), or one of those names; got '${String(body.priority)}'.`);
      }
      const ownerId = request.identity.userId ?? null;
      let submitted;
      if (body.type === PIPELINE_TYPE) {
        // The video pipeline is a flow of three steps: the same as POST /videos/ingest.
        if (body.idempotencyKey !== undefined || body.delayMs !== undefined) {
          return sendError(reply, 400, `${PIPELINE_TYPE} (a pipeline of steps) takes neither idempotencyKey nor delayMs.`);
        }
        const video = parseVideoInput(body.input, ctx.urlGuard);
        if ('problem' in video) return sendError(reply, 400, `Invalid input for job type '${PIPELINE_TYPE}': ${video.problem}`);
        const { pipeline } = await ctx.videos.ingest({ url: video.url, title: video.title, ownerId, priority, tags: body.tags, metadata: jobTraceMetadata(request) });
        submitted = { job: pipeline, existing: false };
      } else {
        const spec: NewJob = {
          type: body.type,
          input: (body.input ?? null) as NewJob['input'],
          ownerId,
          priority,
          // Carries the request's trace to the job's attempts (empty when nothing traces).
          metadata: { ...jobTraceMetadata(request) },
          ...(body.tags ? { tags: body.tags } : {}),
          ...(body.idempotencyKey !== undefined ? { idempotencyKey: body.idempotencyKey } : {}),
          ...(body.delayMs !== undefined ? { delayMs: body.delayMs } : {}),
        };
        try {
          submitted = await ctx.engine.submit(spec);
        } catch (error) {
          if (error instanceof UnknownJobTypeError) {
            return sendError(reply, 400, `Unknown job type '${body.type}'. Known types: ${knownTypes().join(', ')}.`);
          }
          if (error instanceof JobInputError) return sendError(reply, 400, error.message);
          throw error;
        }
      }
      const { job, existing } = submitted;
      const follow = {
        hub: JOB_PROGRESS_HUB_PATH,
        method: JOB_PROGRESS_METHODS.subscribeToJob,
        args: [job.id],
        ...(body.token ? await ctx.auth.issueFollowToken({ kind: 'job', jobId: job.id }, ctx.followTokenTtlSeconds) : {}),
      };
      return reply
        .code(existing ? 200 : 202)
        .header('Location', `${API_PREFIX}/jobs/${job.id}`)
        .send({ job: jobDto(job), follow });
    },
  );
}
