#!/usr/bin/env node
// `npm start`: the job-progress service, configured by the environment (see the README);
// with REDIS_URL and ROLE=worker (`npm run worker`), a process that runs its jobs.
import { ConfigError, type ServerConfig, loadConfig } from './config.js';
import { startDemoVideosIfEmpty } from './demo/demo-videos.js';
import { type Logger, createLogger, prettyLogs } from './logger.js';
import { ensureWritableDataDir, startupProblem } from './startup-problem.js';
import { startTidingsWorker } from './scale/tidings-worker.js';
import { createTidingsServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`tidings: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, config.logFormat);
  // A stray rejection in a library callback is logged, not fatal: for an API node it would
  // drop every client's connection; for a worker, its jobs would wait for a takeover.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  let server: { close(): Promise<void> };
  try {
    server = await start(config, logger);
  } catch (error) {
    const problem = startupProblem(error, config, config.host ?? (config.jwtSecret ? '0.0.0.0' : '127.0.0.1'));
    if (!problem) throw error;
    console.error(`tidings: ${problem}`);
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    server.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Starts the worker or the service; says where it listens in one line. */
async function start(config: ServerConfig, logger: Logger): Promise<{ close(): Promise<void> }> {
  if (config.role === 'worker') {
    const worker = await startTidingsWorker({ config, logger });
    logger.info({ nodeId: worker.nodeId, concurrency: config.jobConcurrency, redisPrefix: config.redisPrefix }, 'tidings worker is running jobs');
    return worker;
  }
  if (!config.redisUrl) ensureWritableDataDir(config.dataDir);
  const service = await createTidingsServer({ config, logger });
  const url = await service.listen().catch(async (error: unknown) => {
    await service.close().catch(() => undefined);
    throw error;
  });
  const mode = config.jwtSecret ? 'JWT' : 'open development mode';
  const scaled = config.redisUrl ? `, scaled: role ${config.role}, Redis prefix ${config.redisPrefix}` : '';
  const line = `tidings listening on ${url} — dashboard /, API /swagger, metrics /metrics (${mode}${scaled})`;
  // On a terminal the line stands alone, plain, to be read and clicked; in JSON logs it is the message of an ordinary record.
  if (prettyLogs(config.logFormat)) process.stdout.write(`${line}\n`);
  else logger.info({ url, mode: config.jwtSecret ? 'jwt' : 'open', dashboard: `${url}/`, swagger: `${url}/swagger`, metrics: `${url}/metrics`, ...(config.redisUrl ? { role: config.role, redisPrefix: config.redisPrefix } : { dataDir: config.dataDir }) }, line);
  await startDemoVideosIfEmpty(service);
  return service;
}

main().catch((error: unknown) => {
  console.error('tidings failed to start:', error);
  process.exit(1);
});
