import { resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `LOG_FORMAT`: `auto` (pretty on a terminal, JSON otherwise), `json` or `pretty`. */
export type LogFormat = 'auto' | 'json' | 'pretty';
const LOG_FORMATS: readonly LogFormat[] = ['auto', 'json', 'pretty'];

/** What a process does in scaled mode: serve the API and hubs, run jobs, or both. */
export type Role = 'api' | 'worker' | 'all';
const ROLES: readonly Role[] = ['api', 'worker', 'all'];

/** Everything the service reads from its environment (see the README's table). */
export interface ServerConfig {
  /** `PORT`, default 5000. */
  readonly port: number;
  /** `HOST`. Unset: 127.0.0.1 in open development mode (no JWT_SECRET), else 0.0.0.0. */
  readonly host: string | undefined;
  /** `DATA_DIR`, default ./data: the SQLite file lives here. */
  readonly dataDir: string;
  /** `JWT_SECRET`: HS256 secret. Unset: open development mode. */
  readonly jwtSecret: string | undefined;
  /** `JWT_USER_ID_CLAIMS`: the claims a token's user id is read from, in order; all present must agree. Default sub, UserId. */
  readonly jwtUserIdClaims: readonly string[];
  /** `JWT_REQUIRE_EXP`: refuse user tokens without an `exp` claim. Default true. */
  readonly jwtRequireExp: boolean;
  /** `AUTH_FAILURE_LIMIT`: failed authentications per client IP and window before REST answers 429. Default 20. */
  readonly authFailureLimit: number;
  /** `AUTH_FAILURE_WINDOW_SECONDS`: the window those failures are counted in (and the longest block). Default 60. */
  readonly authFailureWindowSeconds: number;
  /** `FOLLOW_TOKEN_TTL_SECONDS`: how long a follow token (`POST /api/v1/jobs/:id/subscribe-token`) is valid. Default 900. */
  readonly followTokenTtlSeconds: number;
  /** `ALLOW_PRIVATE_URLS`: accept URLs to be fetched (videos, webhooks) that point at loopback, link-local or private addresses. Default false. */
  readonly allowPrivateUrls: boolean;
  /** `CORS_ORIGINS`: comma-separated origins, or `*`. Unset: same-origin only. */
  readonly corsOrigins: readonly string[] | '*' | undefined;
  /** `DEMO_SPEED`: how much faster than real time the simulated processors run. Default 1. */
  readonly demoSpeed: number;
  /** `LOG_LEVEL`, default info. */
  readonly logLevel: LogLevel;
  /** `LOG_FORMAT`: auto (default: readable, coloured lines when stdout is a terminal; JSON otherwise), json or pretty. */
  readonly logFormat: LogFormat;
  /** `JOB_CONCURRENCY`: jobs running at once. Default 4. */
  readonly jobConcurrency: number;
  /** `SHUTDOWN_GRACE_MS`: how long running jobs get to checkpoint on shutdown. Default 5000. */
  readonly shutdownGraceMs: number;
  /** `REDIS_URL`: set, the service runs in scaled mode (jobs on BullMQ, hubs on the Redis backplane). */
  readonly redisUrl: string | undefined;
  /** `ROLE`: api, worker or all (default; `npm run worker` uses worker). Without REDIS_URL only all. */
  readonly role: Role;
  /** `REDIS_PREFIX`: prefix of every Redis key and channel, the same on every node. Default tidings. */
  readonly redisPrefix: string;
  /** `JOB_LOCK_MS`: how long a worker may go silent before another worker takes its jobs over. Default 30000. */
  readonly jobLockMs: number;
  /** `NODE_TIMEOUT_MS`: how long an API node may go silent before the others drop its connections. Default 15000. */
  readonly nodeTimeoutMs: number;
  /**
   * `DEMO_JOBS`: demo videos started when the service starts with no jobs at all (a fresh
   * DATA_DIR), so the dashboard has something to show. Default 3 in open development mode
   * on one machine, 0 with JWT_SECRET or REDIS_URL.
   */
  readonly demoJobs: number;
  /**
   * `TIDINGS_PLUGINS`: comma-separated modules (package names or paths) whose default export is a
   * plugin factory (see `TidingsPluginModule`); `npm start` lists the example systems. Default none.
   */
  readonly plugins: readonly string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_CONFIG: ServerConfig = {
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
  demoJobs: 0,
  plugins: [],
};

/** Reads the configuration from `env`; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };
  const logLevel = (value('LOG_LEVEL') ?? DEFAULT_CONFIG.logLevel).toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got '${env.LOG_LEVEL}'.`);
  const logFormat = (value('LOG_FORMAT') ?? DEFAULT_CONFIG.logFormat).toLowerCase() as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) throw new ConfigError(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}; got '${env.LOG_FORMAT}'.`);
  const secret = value('JWT_SECRET');
  if (secret !== undefined && secret.length < 16) throw new ConfigError('JWT_SECRET must be at least 16 characters long.');
  const redisUrl = value('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^/]/.test(redisUrl)) throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL; got '${redisUrl}'.`);
  const role = (value('ROLE') ?? DEFAULT_CONFIG.role).toLowerCase() as Role;
  if (!ROLES.includes(role)) throw new ConfigError(`ROLE must be one of ${ROLES.join(', ')}; got '${env.ROLE}'.`);
  if (role !== 'all' && redisUrl === undefined) throw new ConfigError(`ROLE=${role} needs REDIS_URL: API nodes and workers share jobs through Redis.`);
  return {
    port: integer(env, 'PORT', DEFAULT_CONFIG.port, 0, 65535),
    host: value('HOST') ?? DEFAULT_CONFIG.host,
    dataDir: resolve(value('DATA_DIR') ?? 'data'),
    jwtSecret: secret,
    jwtUserIdClaims: claimList(value('JWT_USER_ID_CLAIMS')) ?? DEFAULT_CONFIG.jwtUserIdClaims,
    jwtRequireExp: boolean(env, 'JWT_REQUIRE_EXP', DEFAULT_CONFIG.jwtRequireExp),
    authFailureLimit: integer(env, 'AUTH_FAILURE_LIMIT', DEFAULT_CONFIG.authFailureLimit, 1, 1_000_000),
    authFailureWindowSeconds: integer(env, 'AUTH_FAILURE_WINDOW_SECONDS', DEFAULT_CONFIG.authFailureWindowSeconds, 1, 86_400),
    followTokenTtlSeconds: integer(env, 'FOLLOW_TOKEN_TTL_SECONDS', DEFAULT_CONFIG.followTokenTtlSeconds, 10, 86_400),
    allowPrivateUrls: boolean(env, 'ALLOW_PRIVATE_URLS', DEFAULT_CONFIG.allowPrivateUrls),
    corsOrigins: origins(value('CORS_ORIGINS')),
    demoSpeed: positive(env, 'DEMO_SPEED', DEFAULT_CONFIG.demoSpeed),
    logLevel,
    logFormat,
    jobConcurrency: integer(env, 'JOB_CONCURRENCY', DEFAULT_CONFIG.jobConcurrency, 1, 1000),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', DEFAULT_CONFIG.shutdownGraceMs, 0, 600_000),
    redisUrl,
    role,
    redisPrefix: value('REDIS_PREFIX') ?? DEFAULT_CONFIG.redisPrefix,
    jobLockMs: integer(env, 'JOB_LOCK_MS', DEFAULT_CONFIG.jobLockMs, 100, 600_000),
    nodeTimeoutMs: integer(env, 'NODE_TIMEOUT_MS', DEFAULT_CONFIG.nodeTimeoutMs, 300, 600_000),
    demoJobs: integer(env, 'DEMO_JOBS', secret === undefined && redisUrl === undefined ? 3 : 0, 0, 50),
    plugins: (value('TIDINGS_PLUGINS') ?? '')
      .split(',')
      .map((specifier) => specifier.trim())
      .filter(Boolean),
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const parsed = Number(raw);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}; got '${raw}'.`);
  }
  return parsed;
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false; got '${env[name]}'.`);
}

function claimList(raw: string | undefined): readonly string[] | undefined {
  if (raw === undefined) return undefined;
  const claims = raw
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (claims.length === 0) throw new ConfigError('JWT_USER_ID_CLAIMS must name at least one claim, e.g. sub,UserId.');
  return claims;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const parsed = Number(raw);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new ConfigError(`${name} must be a positive number; got '${raw}'.`);
  return parsed;
}

function origins(raw: string | undefined): readonly string[] | '*' | undefined {
  if (raw === undefined) return undefined;
  if (raw === '*') return '*';
  const list = raw
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter(Boolean);
  for (const origin of list) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError(`CORS_ORIGINS has '${origin}', which is not an origin like http://localhost:3000.`);
    }
    if (url.origin !== origin) throw new ConfigError(`CORS_ORIGINS has '${origin}'; an origin is scheme://host[:port] only (${url.origin}).`);
  }
  return list;
}
