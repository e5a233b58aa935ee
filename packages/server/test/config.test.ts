import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, loadPlugins } from '../src/index.js';

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    assert.deepEqual(loadConfig({}), {
      port: 5000,
      host: undefined,
      dataDir: resolve('data'),
      jwtSecret: undefined,
      jwtUserIdClaims: ['sub', 'UserId'],
      jwtRequireExp: true,
      authFailureLimit: 20,
      authFailureWindowSeconds: 60,
      followTokenTtlSeconds: 900,
      allowPrivateUrls: false,
      corsOrigins: undefined,
      demoSpeed: 1,
      logLevel: 'info',
      logFormat: 'auto',
      jobConcurrency: 4,
      shutdownGraceMs: 5000,
      redisUrl: undefined,
      role: 'all',
      redisPrefix: 'tidings',
      jobLockMs: 30_000,
      nodeTimeoutMs: 15_000,
      demoJobs: 3,
      plugins: [],
    });
  });

  it('TIDINGS_PLUGINS names plugin modules; each default export builds plugins from the configuration', async () => {
    const config = loadConfig({ TIDINGS_PLUGINS: ' @tidings/example-hotswap , @tidings/example-youtube-rag,', DEMO_SPEED: '7' });
    assert.deepEqual(config.plugins, ['@tidings/example-hotswap', '@tidings/example-youtube-rag']);
    const plugins = await loadPlugins(config);
    assert.deepEqual(
      plugins.map((p) => p.name),
      ['hotswap', 'youtube-rag'],
    );
    assert.deepEqual(plugins[0]!.jobTypes?.map((t) => t.name), ['HotSwapDeployment'], 'job types without building the server');
    await assert.rejects(loadPlugins(loadConfig({ TIDINGS_PLUGINS: '@tidings/no-such-plugin' })), /TIDINGS_PLUGINS names '@tidings\/no-such-plugin', which could not be imported/);
    await assert.rejects(loadPlugins(loadConfig({ TIDINGS_PLUGINS: 'node:path' })), /is not a plugin factory/);
  });

  it('starts demo videos on a fresh open-mode service only, unless told otherwise', () => {
    assert.equal(loadConfig({ JWT_SECRET: 'sixteen-chars-ok!' }).demoJobs, 0);
    assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).demoJobs, 0);
    assert.equal(loadConfig({ DEMO_JOBS: '0' }).demoJobs, 0);
    assert.equal(loadConfig({ DEMO_JOBS: '5' }).demoJobs, 5);
    assert.throws(() => loadConfig({ DEMO_JOBS: 'many' }), /DEMO_JOBS must be an integer from 0 to 50/);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATA_DIR: '/tmp/tidings-data',
      JWT_SECRET: 'sixteen-chars-ok!',
      CORS_ORIGINS: 'http://localhost:3000, https://app.example.com/',
      DEMO_SPEED: '2.5',
      LOG_LEVEL: 'DEBUG',
      LOG_FORMAT: 'JSON',
      JOB_CONCURRENCY: '8',
      SHUTDOWN_GRACE_MS: '100',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, '/tmp/tidings-data');
    assert.equal(config.jwtSecret, 'sixteen-chars-ok!');
    assert.deepEqual(config.corsOrigins, ['http://localhost:3000', 'https://app.example.com']);
    assert.equal(config.demoSpeed, 2.5);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.logFormat, 'json');
    assert.equal(config.jobConcurrency, 8);
    assert.equal(config.shutdownGraceMs, 100);
    assert.equal(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins, '*');
    const hardening = loadConfig({
      JWT_USER_ID_CLAIMS: 'nameid, sub',
      JWT_REQUIRE_EXP: 'false',
      AUTH_FAILURE_LIMIT: '5',
      AUTH_FAILURE_WINDOW_SECONDS: '300',
      ALLOW_PRIVATE_URLS: 'true',
      FOLLOW_TOKEN_TTL_SECONDS: '120',
    });
    assert.deepEqual(hardening.jwtUserIdClaims, ['nameid', 'sub']);
    assert.equal(hardening.jwtRequireExp, false);
    assert.equal(hardening.authFailureLimit, 5);
    assert.equal(hardening.authFailureWindowSeconds, 300);
    assert.equal(hardening.allowPrivateUrls, true);
    assert.equal(hardening.followTokenTtlSeconds, 120);
  });

  it('names the variable and the problem for a bad value', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ PORT: 'eighty' }, /PORT must be an integer from 0 to 65535; got 'eighty'/],
      [{ PORT: '70000' }, /PORT must be an integer/],
      [{ DEMO_SPEED: '0' }, /DEMO_SPEED must be a positive number; got '0'/],
      [{ DEMO_SPEED: 'fast' }, /DEMO_SPEED must be a positive number/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
      [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT must be one of auto, json, pretty; got 'xml'/],
      [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 16 characters/],
      [{ CORS_ORIGINS: 'localhost:3000' }, /CORS_ORIGINS has 'localhost:3000'/],
      [{ CORS_ORIGINS: 'http://localhost:3000/app' }, /an origin is scheme:\/\/host\[:port\] only/],
      [{ JOB_CONCURRENCY: '0' }, /JOB_CONCURRENCY must be an integer from 1/],
      [{ JWT_USER_ID_CLAIMS: ' , ' }, /JWT_USER_ID_CLAIMS must name at least one claim/],
      [{ JWT_REQUIRE_EXP: 'maybe' }, /JWT_REQUIRE_EXP must be true or false; got 'maybe'/],
      [{ AUTH_FAILURE_LIMIT: '0' }, /AUTH_FAILURE_LIMIT must be an integer from 1/],
      [{ ALLOW_PRIVATE_URLS: 'yes please' }, /ALLOW_PRIVATE_URLS must be true or false/],
      [{ FOLLOW_TOKEN_TTL_SECONDS: '5' }, /FOLLOW_TOKEN_TTL_SECONDS must be an integer from 10/],
    ];
    for (const [env, message] of bad) assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message));
  });
});
