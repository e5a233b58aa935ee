import { JobStateError } from '@tidings/jobs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ConduitTaskKind, HubConstants, TASK_TYPES, ownerOfKey, taskKindOfJobType } from '../conduit-constants.js';
import type { ConduitSurface } from '../conduit-surface.js';
import { DEMO_FAILURE_MARKER } from '../demo/generation-processors.js';
import { taskStatus } from '../task-payloads.js';
import type { VirtualKey } from '../stores/virtual-keys.js';
import { conduitToken } from './conduit-credentials.js';
import { type FailedAuthThrottle, type FetchUrlGuard, ID_SCHEMA, allowConfiguredOrigins, authenticateRequests, sendError } from '@tidings/server';

export interface ConduitRoutesContext {
  readonly conduit: ConduitSurface;
  readonly corsOrigins: readonly string[] | '*' | undefined;
  /** The service's failed-authentication throttle: wrong keys count against the client IP as bad JWTs do. */
  readonly failures: FailedAuthThrottle;
  /** Webhook URLs are called when a task ends: they must not point inside the network. */
  readonly urlGuard: FetchUrlGuard;
}

const webhookUrl = { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'Called (DEMO: simulated) when the task ends' } as const;
const errors = { 401: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 429: { $ref: 'Error#' } } as const;

/**
 * `/api/conduit`, authenticated by a virtual key: DEMO generation requests
 * (simulated providers) whose progress the Conduit hubs report, the task
 * status, and DEMO spend. Requests that start work count against the key's
 * per-minute quota; nearing it sends `RateLimitWarning`.
 */
export async function conduitApiRoutes(app: FastifyInstance, ctx: ConduitRoutesContext): Promise<void> {
  const { conduit } = ctx;
  await allowConfiguredOrigins(app, ctx.corsOrigins);
  const keys = new WeakMap<FastifyRequest, VirtualKey>();
  const keyOf = (request: FastifyRequest) => keys.get(request)!;
  authenticateRequests(app, ctx.failures, async (request) => {
    const token = conduitToken(request);
    const key = await conduit.auth.virtualKey(token);
    if (!key) return { message: 'A valid virtual key is required (Authorization: Bearer condt_…).', guess: token !== undefined };
    keys.set(request, key);
    return undefined;
  });

  /** Why a task's webhook URL is refused (it would be called from inside the network), or undefined. */
  function webhookProblem(hook: string | undefined): string | undefined {
    if (hook === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(hook);
    } catch {
      return `webhookUrl must be an absolute http(s) URL; '${hook.slice(0, 100)}' is not a URL.`;
    }
    return ctx.urlGuard.problem(url, 'webhookUrl');
  }

  /** 429 past the key's quota; a warning to its connections as it runs low. */
  async function withinQuota(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const key = keyOf(request);
    const decision = conduit.quota.take(key.id);
    if (decision.warn) {
      await conduit.system
        .rateLimitWarning(key.id, { limit: decision.limit, remaining: decision.remaining, resetTime: decision.resetTime, endpoint: request.routeOptions.url ?? request.url })
        .catch((error: unknown) => request.log.warn({ err: error }, 'RateLimitWarning could not be sent'));
    }
    if (decision.allowed) return true;
    reply.header('Retry-After', String(Math.max(1, Math.ceil((Date.parse(decision.resetTime) - Date.now()) / 1000))));
    await reply.code(429).send({ statusCode: 429, error: 'Too Many Requests', message: `At most ${decision.limit} requests per minute for this key.` });
    return false;
  }

  const started = (kind: ConduitTaskKind, job: { id: string; status: string; createdAt: string }) => ({
    taskId: job.id,
    requestId: job.id,
    taskType: TASK_TYPES[kind].taskType,
    status: 'Pending',
    createdAt: job.createdAt,
    hubs: { [kind === 'video' ? 'video' : 'image']: kind === 'video' ? HubConstants.VideoGenerationHub : HubConstants.ImageGenerationHub, tasks: HubConstants.TaskHub },
  });

  app.post<{ Body: { prompt: string; model?: string; durationSeconds?: number; webhookUrl?: string } }>(
    '/videos/generations',
    {
      schema: {
        tags: ['conduit'],
        summary: 'DEMO: start a simulated video generation (progress on /hubs/video-generation and /hubs/tasks)',
        description: `No provider is called. A prompt containing "${DEMO_FAILURE_MARKER}" fails half way.`,
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          required: ['prompt'],
          additionalProperties: false,
          properties: {
            prompt: { type: 'string', minLength: 1, maxLength: 4000 },
            model: { type: 'string', minLength: 1, maxLength: 100 },
            durationSeconds: { type: 'integer', minimum: 1, maximum: 60 },
            webhookUrl,
          },
        },
        response: { 202: { type: 'object', additionalProperties: true }, ...errors },
      },
    },
    async (request, reply) => {
      const hookProblem = webhookProblem(request.body.webhookUrl);
      if (hookProblem) return sendError(reply, 400, hookProblem);
      if (!(await withinQuota(request, reply))) return reply;
      const { prompt, model = 'demo-video-1', durationSeconds = 6, webhookUrl: hook } = request.body;
      const job = await conduit.startTask('video', keyOf(request).id, { prompt, model, durationSeconds, ...(hook ? { webhookUrl: hook } : {}) });
      return reply.code(202).send(started('video', job));
    },
  );

  app.post<{ Body: { prompt: string; model?: string; n?: number; webhookUrl?: string } }>(
    '/images/generations',
    {
      schema: {
        tags: ['conduit'],
        summary: 'DEMO: start a simulated image generation (progress on /hubs/image-generation and /hubs/tasks)',
        description: `No provider is called. A prompt containing "${DEMO_FAILURE_MARKER}" fails.`,
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          required: ['prompt'],
          additionalProperties: false,
          properties: { prompt: { type: 'string', minLength: 1, maxLength: 4000 }, model: { type: 'string', minLength: 1, maxLength: 100 }, n: { type: 'integer', minimum: 1, maximum: 10 }, webhookUrl },
        },
        response: { 202: { type: 'object', additionalProperties: true }, ...errors },
      },
    },
    async (request, reply) => {
      const hookProblem = webhookProblem(request.body.webhookUrl);
      if (hookProblem) return sendError(reply, 400, hookProblem);
      if (!(await withinQuota(request, reply))) return reply;
      const { prompt, model = 'demo-image-1', n = 1, webhookUrl: hook } = request.body;
      const job = await conduit.startTask('image', keyOf(request).id, { prompt, model, n, ...(hook ? { webhookUrl: hook } : {}) });
      return reply.code(202).send(started('image', job));
    },
  );

  /** The key's own task, or 404. */
  async function ownTask(request: FastifyRequest<{ Params: { taskId: string } }>) {
    const job = await conduit.task(request.params.taskId);
    const kind = job ? taskKindOfJobType(job.type) : undefined;
    return job && kind && job.ownerId === ownerOfKey(keyOf(request).id) ? { job, kind } : undefined;
  }
  const taskParams = { type: 'object', required: ['taskId'], properties: { taskId: ID_SCHEMA } } as const;

  app.get<{ Params: { taskId: string } }>(
    '/tasks/:taskId',
    { schema: { tags: ['conduit'], summary: "A task's state", security: [{ bearer: [] }], params: taskParams, response: { 200: { type: 'object', additionalProperties: true }, ...errors } } },
    async (request, reply) => {
      const task = await ownTask(request);
      if (!task) return sendError(reply, 404, `Task '${request.params.taskId}' was not found.`);
      return taskStatus(task.job, task.kind);
    },
  );

  app.post<{ Params: { taskId: string } }>(
    '/tasks/:taskId/cancel',
    {
      schema: {
        tags: ['conduit'],
        summary: 'Cancel a pending or running task (TaskCancelled and VideoFailed/ImageFailed follow)',
        security: [{ bearer: [] }],
        params: taskParams,
        response: { 200: { type: 'object', additionalProperties: true }, 409: { $ref: 'Error#' }, ...errors },
      },
    },
    async (request, reply) => {
      const task = await ownTask(request);
      if (!task) return sendError(reply, 404, `Task '${request.params.taskId}' was not found.`);
      try {
        return taskStatus(await conduit.cancelTask(task.job.id, `Cancelled by virtual key ${keyOf(request).id}`), task.kind);
      } catch (error) {
        if (error instanceof JobStateError) return sendError(reply, 409, error.message);
        throw error;
      }
    },
  );

  app.post<{ Body: { amount: number; model?: string } }>(
    '/spend',
    {
      schema: {
        tags: ['conduit'],
        summary: 'DEMO: record spend on the key (SpendUpdate on /hubs/spend-notifications, summed per second)',
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          required: ['amount'],
          additionalProperties: false,
          properties: { amount: { type: 'number', exclusiveMinimum: 0, maximum: 1000 }, model: { type: 'string', maxLength: 100 } },
        },
        response: { 202: { type: 'object', additionalProperties: true }, ...errors },
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const totals = await conduit.spend.record(key.id, request.body.amount);
      if (!totals) return sendError(reply, 404, 'The key no longer exists.');
      return reply.code(202).send({ virtualKeyId: key.id, previousSpend: totals.previous, currentSpend: totals.current, maxBudget: key.maxBudget });
    },
  );

  app.get(
    '/spend',
    { schema: { tags: ['conduit'], summary: "The key's spend so far", security: [{ bearer: [] }], response: { 200: { type: 'object', additionalProperties: true }, ...errors } } },
    async (request, reply) => {
      const key = await conduit.keys.get(keyOf(request).id);
      if (!key) return sendError(reply, 404, 'The key no longer exists.');
      return { virtualKeyId: key.id, currentSpend: key.currentSpend, maxBudget: key.maxBudget };
    },
  );
}
