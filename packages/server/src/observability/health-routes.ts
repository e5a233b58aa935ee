import type { FastifyInstance } from 'fastify';

/** What readiness depends on: each check answers true when its part works now. */
export interface ReadinessChecks {
  /** The service is stopping (it answers 503 to new work). */
  readonly stopping: () => boolean;
  /** Named checks: the job store, and in scaled mode Redis and the backplanes. */
  readonly checks: Readonly<Record<string, () => Promise<boolean> | boolean>>;
}

const CHECK_TIMEOUT_MS = 2000;

function timeout(ms: number): Promise<boolean> {
  return new Promise((resolve) => setTimeout(resolve, ms, false).unref());
}

/**
 * `/health/live` and `/health/ready` for orchestrators (Kubernetes' liveness
 * and readiness probes): live as long as the process answers; ready while
 * every part the service needs works, 503 otherwise — a load balancer then
 * stops sending it clients until it is back.
 */
export async function healthRoutes(app: FastifyInstance, options: ReadinessChecks): Promise<void> {
  app.get('/health/live', { schema: { tags: ['service'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'live' }));
  app.get('/health/ready', { schema: { tags: ['service'], summary: 'Readiness: storage (and in scaled mode Redis and the backplane) reachable; 503 otherwise' } }, async (_request, reply) => {
    const results: Record<string, boolean> = {};
    await Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => {
        // A store that does not answer within the probe's budget counts as down, not as a hung probe.
        results[name] = await Promise.race([Promise.resolve().then(check), timeout(CHECK_TIMEOUT_MS)]).catch(() => false);
      }),
    );
    const stopping = options.stopping();
    const ready = !stopping && Object.values(results).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: stopping ? 'stopping' : ready ? 'ready' : 'unavailable', checks: results });
  });
}
