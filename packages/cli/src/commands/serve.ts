import { ConfigError, type ServerConfig, createTidingsServer, loadConfig } from '@tidings/server';
import { CommandError, EXIT } from '../exit-codes.js';

export interface ServeOptions {
  readonly port?: number;
  readonly host?: string;
  readonly dataDir?: string;
  readonly demoSpeed?: number;
  /** Start a few demo videos once listening. */
  readonly demo?: boolean;
}

const DEMO_VIDEOS = ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'https://www.youtube.com/watch?v=9bZkp7q19f0', 'https://www.youtube.com/watch?v=kJQP7kiw5Fk'];

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
  if (options.demo) {
    for (const [i, video] of DEMO_VIDEOS.entries()) {
      const response = await server.app.inject({ method: 'POST', url: '/api/v1/videos/ingest', payload: { url: video, title: `Demo video ${i + 1}`, userId: 'demo-user' } });
      if (response.statusCode !== 202) log.warn({ status: response.statusCode, body: response.body }, 'a demo video was not accepted');
    }
    log.info('started 3 demo videos');
  }

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
