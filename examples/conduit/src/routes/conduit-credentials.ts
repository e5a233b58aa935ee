import { RequestInfo, bearerToken } from '@tidings/hub';
import type { FastifyRequest } from 'fastify';

/** A Conduit credential on a REST request: `Authorization: Bearer …` (or `access_token`), else `X-API-Key`. */
export function conduitToken(request: FastifyRequest): string | undefined {
  const bearer = bearerToken(RequestInfo.from(request.raw));
  if (bearer) return bearer;
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey ? apiKey : undefined;
}
