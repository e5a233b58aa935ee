import { ConfigError, type ServerConfig, createTidingsServer, loadConfig, startDemoVideos, startDemoVideosIfEmpty } from '@tidings/server';
import { CommandError, EXIT } from '../exit-codes.js';

export interface ServeOptions {
  readonly port?: number;
  readonly host?: string;
  readonly dataDir?: string;
  readonly demoSpeed?: number;
  /** Start three demo videos once listening, even if there are jobs already. */
  readonly demo?: boolean;
}

/**
 * `tidings serve`: the service in this process, configured like `npm start`
 * (environment variables; flags win), stopping gracefully on SIGINT/SIGTERM.
 * Resolves once it has stopped.
 */
export async function serveCommand(options: ServeOptions): Promise<void> {
  let config: ServerConfig;
  try {
    const fromEnv = loadConfig(process.env);
    config = {
      ...fromEnv,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      ...(options.demoSpeed !== undefined ? { demoSpeed: options.demoSpeed } : {}),
    };
  } catch (error) {
    if (error instanceof ConfigError) throw new CommandError(error.message, EXIT.usage);
    throw error;
  }
  const server = await createTidingsServer({ config });
  const url = await server.listen();
  const log = server.app.log;
  log.info({ url, dashboard: `${url}/`, hub: `${url}/hubs/job-progress`, swagger: `${url}/swagger` }, 'tidings is listening');
  if (options.demo) await startDemoVideos(server, 3);
  else await startDemoVideosIfEmpty(server);

  await new Promise<void>((resolve, reject) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(EXIT.failed);
      }
      stopping = true;
      log.info({ signal }, 'stopping');
      server.close().then(resolve, reject);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
