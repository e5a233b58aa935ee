#!/usr/bin/env node
// `npm start`: the job-progress service, configured by the environment (see the README);
// with REDIS_URL and ROLE=worker (`npm run worker`), a process that runs its jobs.
import { ConfigError, loadConfig } from './config.js';
import { startDemoVideosIfEmpty } from './demo/demo-videos.js';
import { createLogger } from './logger.js';
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
  const logger = createLogger(config.logLevel);
  // A stray rejection in a library callback is logged, not fatal: for an API node it would
  // drop every client's connection; for a worker, its jobs would wait for a takeover.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  let server: { close(): Promise<void> };
  if (config.role === 'worker') {
    const worker = await startTidingsWorker({ config, logger });
    logger.info({ nodeId: worker.nodeId, concurrency: config.jobConcurrency, redisPrefix: config.redisPrefix }, 'tidings worker is running jobs');
    server = worker;
  } else {
    const service = await createTidingsServer({ config, logger });
    const url = await service.listen();
    const where = config.redisUrl ? { role: config.role, redisPrefix: config.redisPrefix } : { dataDir: config.dataDir };
    logger.info({ url, dashboard: `${url}/`, hub: `${url}/hubs/job-progress`, swagger: `${url}/swagger`, ...where }, 'tidings job-progress service is listening');
    await startDemoVideosIfEmpty(service);
    server = service;
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

main().catch((error: unknown) => {
  console.error('tidings failed to start:', error);
  process.exit(1);
});
