import type { TidingsServer } from '../server.js';

/** Public videos whose URLs seed the simulated pipeline (nothing is downloaded). */
const DEMO_VIDEO_URLS = [
  'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
  'https://www.youtube.com/watch?v=9bZkp7q19f0',
  'https://www.youtube.com/watch?v=kJQP7kiw5Fk',
  'https://www.youtube.com/watch?v=OPf0YbXqDm0',
  'https://www.youtube.com/watch?v=JGwWNGJdvx8',
];

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
      payload: { url, title: `Demo video ${i + 1}`, userId: 'demo-user' },
    });
    if (response.statusCode === 202) accepted++;
    else log.warn({ status: response.statusCode, body: response.body }, 'a demo video was not accepted');
  }
  log.info({ count: accepted }, 'started demo videos (simulated pipeline)');
  return accepted;
}

/** At start: demo videos for a service that has no jobs at all yet (a fresh DATA_DIR). */
export async function startDemoVideosIfEmpty(server: TidingsServer): Promise<number> {
  const count = server.config.demoJobs;
  if (count <= 0) return 0;
  const existing = await server.engine.list({ limit: 1 });
  return existing.length === 0 ? startDemoVideos(server, count) : 0;
}
