/** The fixture page, built with Vite and served by the real service under /fixture/. */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TidingsServer } from '@tidings/server';
import { build, defaultClientConditions } from 'vite';

const fixtureRoot = fileURLToPath(new URL('../fixture/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css', '.map': 'application/json' };

export async function buildFixture(outDir: string): Promise<void> {
  await build({
    root: fixtureRoot,
    configFile: false,
    base: '/fixture/',
    logLevel: 'error',
    resolve: { conditions: ['tidings-src', ...defaultClientConditions] },
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
}

/** Adds GET /fixture/* to a service that is not listening yet. */
export function serveFixture(server: TidingsServer, outDir: string): void {
  server.app.get<{ Params: { '*': string } }>('/fixture/*', async (request, reply) => {
    const file = normalize(join(outDir, request.params['*'] || 'index.html'));
    if (!file.startsWith(outDir)) return reply.code(404).send();
    try {
      return reply.type(TYPES[extname(file)] ?? 'application/octet-stream').send(await readFile(file));
    } catch {
      return reply.code(404).send();
    }
  });
}
