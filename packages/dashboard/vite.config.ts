import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

const service = process.env.TIDINGS_URL ?? 'http://localhost:5000';

export default defineConfig({
  resolve: {
    // Workspace packages are bundled from their TypeScript sources: the build does not wait for tsc.
    conditions: ['tidings-src', ...defaultClientConditions],
    alias: {
      // The page loads the official browser bundle the service serves from node_modules (index.html).
      '@microsoft/signalr': fileURLToPath(new URL('./src/official-signalr.ts', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  // `npm run dev -w @tidings/dashboard`: the page from Vite, everything else from a running service.
  server: {
    proxy: {
      '/api': service,
      '/health': service,
      '/lib': service,
      '/hubs': { target: service, ws: true },
    },
  },
});
