import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** `GET /metrics`: the registry in Prometheus' text format. No job ids, user ids or connection ids are in it. */
export async function metricsRoutes(app: FastifyInstance, options: { readonly registry: Registry }): Promise<void> {
  const { registry } = options;
  app.get('/metrics', { schema: { tags: ['service'], summary: 'Prometheus metrics: hubs, backplane, jobs, the Node process' } }, async (_request, reply) => {
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  });
}
