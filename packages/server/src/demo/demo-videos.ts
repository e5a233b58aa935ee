import type { TidingsServer } from '../server.js';

/** Public videos whose URLs seed the simulated pipeline (nothing is downloaded). */
const DEMO_VIDEO_URLS = [
  'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
  'https://www.youtube.com/watch?v=9bZkp7q19f0',
  'https://www.youtube.com/watch?v=kJQP7kiw5Fk',
  'https://www.youtube.com/watch?v=OPf0YbXqDm0',
  'https://www.youtube.com/watch?v=JGwWNGJdvx8',
];
/** A demo video that fails on request (its URL contains `fail`). */
const DEMO_FAILING_URL = 'https://videos.example/this-one-will-fail';
const DEMO_USER = 'demo-user';

/**
 * Starts `count` DEMO videos through the public ingest endpoint, so the
 * dashboard has something to show on a first run. Open mode only: with JWT the
 * ingest needs a user's token, and demo jobs would belong to nobody.
 * Returns how many were accepted.
 */
export async function startDemoVideos(server: TidingsServer, count: number): Promise<number> {
  const log = server.app.log;
  if (server.config.jwtSecret !== undefined) {
    log.warn('demo videos are only started in open development mode (JWT_SECRET is set)');
    return 0;
  }
  let accepted = 0;
  for (let i = 0; i < count; i++) {
    const url = DEMO_VIDEO_URLS[i % DEMO_VIDEO_URLS.length]!;
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/videos/ingest',
      payload: { url, title: `Demo video ${i + 1}`, userId: DEMO_USER },
    });
    if (response.statusCode === 202) accepted++;
    else log.warn({ status: response.statusCode, body: response.body }, 'a demo video was not accepted');
  }
  log.info({ count: accepted }, 'started demo videos (simulated pipeline)');
  return accepted;
}

/**
 * At start (DEMO_JOBS > 0, open development mode): demo videos for a service
 * that has no jobs at all yet (a fresh DATA_DIR), then `keepDemoVideoRunning`
 * so the dashboard always has something moving.
 */
export async function startDemoVideosIfEmpty(server: TidingsServer): Promise<number> {
  const count = server.config.demoJobs;
  if (count <= 0) return 0;
  const existing = await server.engine.list({ limit: 1 });
  const started = existing.length === 0 ? await startDemoVideos(server, count) : 0;
  if (server.config.jwtSecret === undefined) keepDemoVideoRunning(server);
  return started;
}

/** How often the demo keeper looks for a running demo video. */
export const DEMO_KEEPER_INTERVAL_MS = 3000;
/** Every this many kept-running videos, one whose URL asks to fail: the overview's chart shows failures too. */
const FAIL_EVERY = 5;

/**
 * While the service runs: every few seconds, when no demo video is pending or
 * running, starts one more (`Demo video (kept running) n`); every fifth one's
 * URL contains `fail`, so it fails in transcription. Stops when the HTTP
 * server closes.
 */
export function keepDemoVideoRunning(server: TidingsServer, intervalMs = DEMO_KEEPER_INTERVAL_MS): () => void {
  const log = server.app.log;
  let started = 0;
  let busy = false;
  const tick = async () => {
    const active = await server.engine.list({ ownerId: DEMO_USER, type: 'VideoProcessing', status: ['Pending', 'Running'], limit: 1 });
    if (active.length > 0) return;
    started++;
    const url = started % FAIL_EVERY === 0 ? DEMO_FAILING_URL : DEMO_VIDEO_URLS[started % DEMO_VIDEO_URLS.length]!;
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/videos/ingest',
      payload: { url, title: `Demo video (kept running) ${started}`, userId: DEMO_USER },
    });
    if (response.statusCode !== 202) log.debug({ status: response.statusCode }, 'the demo keeper could not start a video');
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    tick()
      .catch((error: unknown) => log.debug({ err: error }, 'the demo keeper skipped a turn'))
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  const stop = () => clearInterval(timer);
  server.app.server.once('close', stop);
  return stop;
}
