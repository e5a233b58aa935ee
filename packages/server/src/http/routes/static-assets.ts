import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../http-errors.js';

export const SIGNALR_BUNDLE_PATH = '/lib/signalr/signalr.min.js';

const FILES: Record<string, string> = {
  'signalr.min.js': 'application/javascript; charset=utf-8',
  'signalr.js': 'application/javascript; charset=utf-8',
  'signalr.min.js.map': 'application/json; charset=utf-8',
  'signalr.js.map': 'application/json; charset=utf-8',
};

/**
 * The official browser client, served from node_modules: the browser-console
 * snippet loads it from a CDN, which an offline machine cannot reach.
 */
export async function staticAssetRoutes(app: FastifyInstance): Promise<void> {
  const require = createRequire(import.meta.url);
  const browserDir = join(dirname(require.resolve('@microsoft/signalr/package.json')), 'dist', 'browser');
  app.get<{ Params: { file: string } }>('/lib/signalr/:file', { schema: { hide: true } }, async (request, reply) => {
    const type = FILES[request.params.file];
    if (!type) return sendError(reply, 404, `No such file: ${request.params.file}`);
    return reply
      .type(type)
      .header('Cache-Control', 'public, max-age=3600')
      .send(createReadStream(join(browserDir, request.params.file)));
  });
}
