#!/usr/bin/env node
// `npm start`: the job-progress service, configured by the environment (see the README).
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
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
  const server = await createTidingsServer({ config, logger });
  const url = await server.listen();
  logger.info({ url, hub: `${url}/hubs/job-progress`, swagger: `${url}/swagger`, dataDir: config.dataDir }, 'tidings job-progress service is listening');

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
