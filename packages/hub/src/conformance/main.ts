import { startConformanceServer } from './conformance-server.js';

/** `npm run conformance -- --port N` (or PORT=N): serves the conformance hubs until interrupted. */
function portFromArgs(argv: readonly string[]): number {
  const index = argv.indexOf('--port');
  const raw = index >= 0 ? argv[index + 1] : process.env.PORT;
  const port = raw === undefined ? 5000 : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Invalid port '${raw}'.`);
    process.exit(2);
  }
  return port;
}

const conformance = await startConformanceServer({
  port: portFromArgs(process.argv.slice(2)),
  host: process.env.HOST ?? '127.0.0.1',
  jwtSecret: process.env.JWT_SECRET,
  hubOptions: { detailedErrors: process.env.DETAILED_ERRORS === 'true' },
});
console.log(`tidings conformance server listening on ${conformance.url}`);
console.log('hubs: /testhub, /testhub-nowebsockets, /authorizedhub (token: GET /generateJwtToken), /redirect, /echo (raw connection)');

const shutdown = async (): Promise<void> => {
  await conformance.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
