import type { FastifyInstance } from 'fastify';
import { ALERT_SEVERITIES, type AlertSeverity, HEALTH_STATUSES, type HealthStatus } from '../system-events.js';
import type { ConduitRoutesContext } from './conduit-api.js';
import { conduitToken } from './conduit-credentials.js';
import { allowConfiguredOrigins, authenticateRequests, sendError } from '@tidings/server';

const keyIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } } } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const errors = { 401: { $ref: 'Error#' }, 404: { $ref: 'Error#' } } as const;
const admin = { tags: ['conduit admin'], security: [{ bearer: [] }] } as const;

/**
 * `/api/conduit/admin`, authenticated by the master key: virtual keys (issued
 * and revoked; stored hashed), the dead-letter list of Conduit, the
 * reliability counters, and DEMO provider health and alerts.
 */
export async function conduitAdminRoutes(app: FastifyInstance, ctx: ConduitRoutesContext): Promise<void> {
  const { conduit } = ctx;
  await allowConfiguredOrigins(app, ctx.corsOrigins);
  authenticateRequests(app, ctx.failures, async (request) => {
    const token = conduitToken(request);
    if (conduit.auth.isMasterKey(token)) return undefined;
    return { message: 'The master key is required (Authorization: Bearer <CONDUIT_MASTER_KEY>, or X-API-Key).', guess: token !== undefined };
  });

  app.post<{ Body: { name: string; maxBudget?: number } }>(
    '/virtual-keys',
    {
      schema: {
        ...admin,
        summary: 'Issue a virtual key (the key is in this answer only; only its SHA-256 is stored)',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, maxBudget: { type: 'number', exclusiveMinimum: 0, description: 'Dollars; BudgetAlert at 50/80/90/100 %' } },
        },
        response: { 201: anyObject, ...errors },
      },
    },
    async (request, reply) => {
      const { key, virtualKey } = await conduit.issueKey(request.body.name, request.body.maxBudget ?? null);
      return reply.code(201).send({ ...virtualKey, key });
    },
  );

  app.get('/virtual-keys', { schema: { ...admin, summary: 'Every virtual key (never the keys themselves)', response: { 200: anyObject, ...errors } } }, async () => ({
    virtualKeys: await conduit.keys.list(),
  }));

  app.delete<{ Params: { id: string } }>(
    '/virtual-keys/:id',
    { schema: { ...admin, summary: "Revoke a key: it stops authenticating and its open connections close", params: keyIdParams, response: { 200: anyObject, ...errors } } },
    async (request, reply) => {
      const revoked = await conduit.revokeKey(request.params.id);
      return revoked ?? sendError(reply, 404, `Virtual key ${request.params.id} was not found.`);
    },
  );

  app.get<{ Querystring: { hub?: string; virtualKeyId?: string; limit: number; offset: number } }>(
    '/dead-letters',
    {
      schema: {
        ...admin,
        summary: 'Critical messages never acknowledged (newest first)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            hub: { type: 'string', maxLength: 200 },
            virtualKeyId: { type: 'string', maxLength: 20 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request) => {
      const { hub, virtualKeyId, limit, offset } = request.query;
      const [total, deadLetters] = await Promise.all([conduit.deadLetters.count(), conduit.deadLetters.list({ hub, userIdentifier: virtualKeyId, limit, offset })]);
      return { total, deadLetters };
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/dead-letters/:id',
    { schema: { ...admin, summary: 'Remove one dead letter (handled)', params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } }, response: { 204: { type: 'null' }, ...errors } } },
    async (request, reply) => ((await conduit.deadLetters.remove(request.params.id)) ? reply.code(204).send() : sendError(reply, 404, `Dead letter ${request.params.id} was not found.`)),
  );

  app.delete('/dead-letters', { schema: { ...admin, summary: 'Clear the dead-letter list', response: { 200: anyObject, ...errors } } }, async () => ({
    removed: await conduit.deadLetters.clear(),
  }));

  app.get('/metrics', { schema: { ...admin, summary: 'Connections, acknowledgements, batching, rate limiting, spend', response: { 200: anyObject, ...errors } } }, async () => conduit.currentMetrics());

  app.get('/provider-health', { schema: { ...admin, summary: "Providers' health as last announced", response: { 200: anyObject, ...errors } } }, async () => ({
    providers: conduit.system.providerHealth(),
  }));

  app.post<{ Body: { provider: string; status: HealthStatus; responseTimeMs?: number } }>(
    '/provider-health',
    {
      schema: {
        ...admin,
        summary: 'DEMO: set a provider\'s health (ProviderHealthChanged on /hubs/notifications; Unhealthy also alerts the admins)',
        body: {
          type: 'object',
          required: ['provider', 'status'],
          additionalProperties: false,
          properties: {
            provider: { type: 'string', minLength: 1, maxLength: 100 },
            status: { type: 'string', enum: [...HEALTH_STATUSES] },
            responseTimeMs: { type: 'integer', minimum: 0 },
          },
        },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request) => {
      const { provider, status, responseTimeMs } = request.body;
      const changed = await conduit.system.setProviderHealth(provider, status, responseTimeMs ?? null);
      return { changed, providers: conduit.system.providerHealth() };
    },
  );

  app.post<{ Body: { severity: AlertSeverity; message: string; component?: string } }>(
    '/system-alerts',
    {
      schema: {
        ...admin,
        summary: 'Send a SystemAlert to /hubs/admin-notifications',
        body: {
          type: 'object',
          required: ['severity', 'message'],
          additionalProperties: false,
          properties: { severity: { type: 'string', enum: [...ALERT_SEVERITIES] }, message: { type: 'string', minLength: 1, maxLength: 2000 }, component: { type: 'string', maxLength: 200 } },
        },
        response: { 202: anyObject, ...errors },
      },
    },
    async (request, reply) => {
      const { severity, message, component } = request.body;
      await conduit.system.systemAlert(severity, message, component ?? null);
      return reply.code(202).send({ sent: true });
    },
  );
}
