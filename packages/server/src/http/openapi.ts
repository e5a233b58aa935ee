import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { SHARED_SCHEMAS } from './schemas.js';

/** The OpenAPI document at /swagger/json and Swagger UI at /swagger (its assets come from node_modules). */
export async function registerOpenApi(app: FastifyInstance, authMode: 'open' | 'jwt'): Promise<void> {
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'tidings job-progress service',
        description:
          'Jobs with live progress over SignalR (hub: /hubs/job-progress). ' +
          (authMode === 'jwt' ? 'Every /api/v1 call needs a bearer token.' : 'Open development mode: tokens are optional (POST /api/v1/auth/dev-token).'),
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: ({ schema, url }) => ({ schema: url.startsWith('/hubs/') ? { ...schema, hide: true } : schema, url }),
  });
  await app.register(swaggerUi, { routePrefix: '/swagger', uiConfig: { docExpansion: 'list', deepLinking: false } });
}
