import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../../auth/auth-service.js';

/** Open development mode only: tokens for any user id, signed with a key made at start. */
export async function devTokenRoutes(app: FastifyInstance, auth: AuthService): Promise<void> {
  app.post<{ Body: { userId: string; name?: string } }>(
    '/auth/dev-token',
    {
      schema: {
        tags: ['auth'],
        summary: 'A development token (only without JWT_SECRET; tokens stop working when the service restarts)',
        body: {
          type: 'object',
          required: ['userId'],
          additionalProperties: false,
          properties: { userId: { type: 'string', minLength: 1, maxLength: 128 }, name: { type: 'string', maxLength: 200 } },
        },
        response: {
          200: {
            type: 'object',
            properties: { token: { type: 'string' }, tokenType: { type: 'string' }, userId: { type: 'string' }, expiresAt: { type: 'string' } },
          },
        },
      },
    },
    async (request) => {
      const { userId, name } = request.body;
      const { token, expiresAt } = await auth.issueDevToken(userId, name);
      return { token, tokenType: 'Bearer', userId, expiresAt };
    },
  );
}
