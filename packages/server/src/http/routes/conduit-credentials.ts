import cors from '@fastify/cors';
import { RequestInfo, bearerToken } from '@tidings/hub';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../http-errors.js';

/** A Conduit credential on a REST request: `Authorization: Bearer …` (or `access_token`), else `X-API-Key`. */
export function conduitToken(request: FastifyRequest): string | undefined {
  const bearer = bearerToken(RequestInfo.from(request.raw));
  if (bearer) return bearer;
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey ? apiKey : undefined;
}

/** 401 with the challenge, in the API's error shape. */
export function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  reply.header('WWW-Authenticate', 'Bearer');
  return sendError(reply, 401, message);
}

/** CORS for a plugin outside /api/v1, as configured for the service. */
export async function allowConfiguredOrigins(app: FastifyInstance, corsOrigins: readonly string[] | '*' | undefined): Promise<void> {
  if (corsOrigins) await app.register(cors, { origin: corsOrigins === '*' ? true : [...corsOrigins], credentials: true });
}
