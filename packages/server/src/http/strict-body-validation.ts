import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type ValidatorFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;

const pool = AjvCompiler();

/**
 * Fastify's validators with request bodies checked strictly: Fastify's
 * default Ajv coerces types (`["url"]` to `"url"`, `true` to `1`, `123` to
 * `"123"`) and silently drops properties a schema does not allow, so bad
 * input was accepted as something else. Bodies are JSON and carry their own
 * types: here they are neither coerced nor stripped, and get 400. Query
 * strings and path parameters are text, so they keep Fastify's coercion
 * (`?limit=5` is the integer 5); unknown query parameters (`access_token`,
 * a cache-buster) are ignored as before.
 */
export const strictBodyValidation: ValidatorFactory = (externalSchemas, options) => {
  const customOptions = options?.customOptions ?? {};
  const shared = { ...options, customOptions } as Parameters<typeof pool>[1];
  const lenient = pool(externalSchemas, shared);
  const strict = pool(externalSchemas, { ...shared, customOptions: { ...customOptions, coerceTypes: false, removeAdditional: false } } as Parameters<typeof pool>[1]);
  return ((route: { httpPart?: string }) => (route.httpPart === 'body' ? strict : lenient)(route as never)) as ReturnType<ValidatorFactory>;
};
