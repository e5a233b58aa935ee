import type { FastifyReply, FastifySchemaValidationError } from 'fastify';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** Answers with Fastify's error shape `{statusCode, error, message}` (the browser test page reads `message`). */
export function sendError(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  return reply.code(statusCode).send({ statusCode, error: REASONS[statusCode] ?? 'Error', message });
}

/** 401 with the Bearer challenge, in the same shape. */
export function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  reply.header('WWW-Authenticate', 'Bearer');
  return sendError(reply, 401, message);
}

/** 429 with `Retry-After`: this client IP failed to authenticate too often. */
export function tooManyFailedAttempts(reply: FastifyReply, retryAfterSeconds: number): FastifyReply {
  reply.header('Retry-After', String(retryAfterSeconds));
  return sendError(reply, 429, `Too many failed authentication attempts from this address; try again in ${retryAfterSeconds} s.`);
}

/**
 * Validation errors as one readable sentence per problem, e.g.
 * "body must have required property 'url'" or
 * "querystring/status must be one of: Pending, Running, …".
 */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const messages = errors.map((e) => {
    const where = `${dataVar}${e.instancePath}`;
    const params = e.params as { allowedValues?: unknown[]; additionalProperty?: string };
    if (e.keyword === 'enum' && params.allowedValues) return `${where} must be one of: ${params.allowedValues.join(', ')}`;
    if (e.keyword === 'additionalProperties' && params.additionalProperty !== undefined) return `${where} has an unknown property '${params.additionalProperty}'`;
    return `${where} ${e.message ?? 'is invalid'}`;
  });
  return new Error([...new Set(messages)].join('; '));
}
