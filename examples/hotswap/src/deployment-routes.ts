import type { Job } from '@tidings/jobs';
import type { FastifyInstance } from 'fastify';
import { type AuthService, allowConfiguredOrigins, identifyRequests, sendError } from '@tidings/server';
import { DEPLOYMENT_HUB_PATH, DEPLOYMENT_STAGES, type DeploymentRequest, DeploymentRequestSchema } from './deployment-constants.js';
import { deploymentProgress, executionState } from './deployment-state.js';
import type { DeploymentSurface } from './deployment-surface.js';

export interface DeploymentRoutesContext {
  readonly deployments: DeploymentSurface;
  readonly auth: AuthService;
  readonly corsOrigins: readonly string[] | '*' | undefined;
}

const anyObject = { type: 'object', additionalProperties: true } as const;

/** A deployment over REST: its state (the hub's `Details`) with the progress the hub reports. */
function deploymentDto(job: Job) {
  const details = executionState(job);
  return { executionId: job.id, status: details.Status, progress: deploymentProgress(job), details };
}

/**
 * HotSwap's `POST /api/deployments` (it starts the DEMO 8-stage pipeline)
 * and reads of deployments. Authentication as for the rest of the service:
 * open in development mode, a valid JWT with JWT_SECRET set.
 */
export async function deploymentRoutes(app: FastifyInstance, ctx: DeploymentRoutesContext): Promise<void> {
  await allowConfiguredOrigins(app, ctx.corsOrigins);
  identifyRequests(app, ctx.auth);

  app.post<{ Body: DeploymentRequest }>(
    '/deployments',
    {
      schema: {
        tags: ['deployments'],
        summary: 'DEMO: start a simulated 8-stage deployment (events on /deploymentHub)',
        description: `Stages: ${DEPLOYMENT_STAGES.join(', ')}. \`simulateFailureAt\` fails the named stage.`,
        body: DeploymentRequestSchema,
        response: { 202: anyObject, 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' } },
      },
    },
    async (request, reply) => {
      const job = await ctx.deployments.start(request.body, request.identity.userId);
      return reply.code(202).send({
        executionId: job.id,
        status: executionState(job).Status,
        startTime: job.createdAt,
        hubUrl: DEPLOYMENT_HUB_PATH,
        links: { self: `/api/deployments/${job.id}` },
      });
    },
  );

  app.get<{ Params: { executionId: string } }>(
    '/deployments/:executionId',
    {
      schema: {
        tags: ['deployments'],
        summary: "A deployment's state",
        params: { type: 'object', required: ['executionId'], properties: { executionId: { type: 'string', minLength: 1, maxLength: 100 } } },
        response: { 200: anyObject, 401: { $ref: 'Error#' }, 404: { $ref: 'Error#' } },
      },
    },
    async (request, reply) => {
      const job = await ctx.deployments.get(request.params.executionId);
      return job ? deploymentDto(job) : sendError(reply, 404, `Deployment '${request.params.executionId}' was not found.`);
    },
  );

  app.get<{ Querystring: { limit: number } }>(
    '/deployments',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Deployments, newest first',
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } } },
        response: { 200: anyObject, 401: { $ref: 'Error#' } },
      },
    },
    async (request) => ({ deployments: (await ctx.deployments.list(request.query.limit)).map(deploymentDto) }),
  );
}
