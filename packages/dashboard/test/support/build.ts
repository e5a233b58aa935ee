/** Builds the dashboard from its sources with Vite into a directory of the test's own. */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const dashboardRoot = fileURLToPath(new URL('../../', import.meta.url));

export async function buildDashboard(outDir: string): Promise<void> {
  await build({
    root: dashboardRoot,
    configFile: `${dashboardRoot}vite.config.ts`,
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
}
