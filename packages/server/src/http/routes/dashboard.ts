import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the built dashboard (`@tidings/dashboard`, `vite build`) is, if the package is installed. */
export function defaultDashboardDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('@tidings/dashboard/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>tidings</title>
<h1>The dashboard is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm start</code>, which builds first) and reload.
The API is at <a href="/swagger">/swagger</a>.</p>`;

/**
 * The dashboard at `/`: static files from its Vite build. Hashed assets are
 * cached for good; index.html is revalidated, so a rebuild shows at once.
 */
export async function dashboardRoutes(app: FastifyInstance, options: { readonly root?: string }): Promise<void> {
  const root = options.root ?? defaultDashboardDir();
  if (!root || !existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'the dashboard is not built: / explains how to build it');
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One route per built file (found at start), so nothing else under / is shadowed.
    wildcard: false,
    index: ['index.html'],
    cacheControl: false,
    setHeaders(response, path) {
      response.setHeader('Cache-Control', path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
