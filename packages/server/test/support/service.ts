import type { Job, JobProcessor } from '@tidings/jobs';
import type { AnyJobType } from '../../src/index.js';
import { after, before } from 'node:test';
import { DEFAULT_CONFIG, type ServerConfig, type TidingsServer, type TidingsServerOptions, createTidingsServer, demoProcessors } from '../../src/index.js';
import type { ProcessorSet } from '../../src/demo/simulated-processors.js';

export { ALL_CASES, TRANSPORT_CASES, connect, record, signalR, closed, type ClientCase } from '../../../hub/test/support/signalr.js';
export { waitFor, delay, within } from '../../../hub/test/support/wait.js';
import { tempDir } from '../../../jobs/test/support/harness.js';
import { connect as connectClient, record as recordCalls, TRANSPORT_CASES as CASES } from '../../../hub/test/support/signalr.js';
import { waitFor as waitUntil } from '../../../hub/test/support/wait.js';

export { tempDir };

export interface RunningService {
  readonly server: TidingsServer;
  readonly url: string;
  readonly hubUrl: string;
  /** JSON over HTTP against the service. */
  http(path: string, init?: { method?: string; body?: unknown; token?: string; rawBody?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** The real service on a free port, SQLite in `dataDir`, logs silent. */
export async function startService(
  dataDir: string,
  options: { config?: Partial<ServerConfig>; processors?: ProcessorSet; throttleIntervalMs?: number } & Pick<TidingsServerOptions, 'hubOptions' | 'plugins'> = {},
): Promise<RunningService> {
  const config: ServerConfig = { ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', demoSpeed: 10, shutdownGraceMs: 2000, ...options.config };
  const server = await createTidingsServer({
    config,
    processors: options.processors,
    hubOptions: options.hubOptions,
    throttleIntervalMs: options.throttleIntervalMs,
    plugins: options.plugins,
  });
  const url = await server.listen();
  let closed = false;
  return {
    server,
    url,
    hubUrl: `${url}/hubs/job-progress`,
    async http(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      let body: string | undefined = init.rawBody;
      if (init.body !== undefined) body = JSON.stringify(init.body);
      if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
    },
  };
}

export const SEED_VIDEO_URL = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';

/** Seed 001 §8: the transcription flow's stage names, in order. */
export const TRANSCRIPTION_STAGES = [
  'Starting transcription process',
  'Extracting audio',
  'Audio extraction completed',
  'Transcribing audio',
  'Transcription completed',
  'Saving transcript segments',
];
export const EMBEDDING_STAGES = ['Starting embedding generation', 'Loading segments', 'Generating embeddings'];

/**
 * Processors that wait, before doing anything, until the test opens the gate
 * of their job (keyed by `keyOf`): a test can subscribe before the first
 * event, however slow the machine.
 */
export function gated(set: ProcessorSet, keyOf: (job: Job) => string): { processors: ProcessorSet; open(key: string): void } {
  const gates = new Map<string, { promise: Promise<void>; resolve(): void }>();
  const gate = (key: string) => {
    let entry = gates.get(key);
    if (!entry) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      gates.set(key, (entry = { promise, resolve }));
    }
    return entry;
  };
  const processors: Record<string, ProcessorSet[string]> = {};
  for (const [type, definition] of Object.entries(set)) {
    const processor: JobProcessor = async (job, ctx) => {
      await gate(keyOf(job)).promise;
      return definition.processor(job, ctx);
    };
    processors[type] = { ...definition, processor };
  }
  return { processors, open: (key) => gate(key).resolve() };
}

/** Job types' processors as a set (for `gated`, or to give the server processors that win over a plugin's). */
export function processorsOf(jobTypes: readonly AnyJobType[]): ProcessorSet {
  return Object.fromEntries(jobTypes.map((t) => [t.name, { processor: ((job, ctx) => t.process(job as never, ctx)) satisfies JobProcessor, options: t.options }]));
}

/**
 * The demo processors, but ingestion of a URL waits until the test opens its
 * gate: the test can subscribe before anything happens, however slow the
 * machine.
 */
export function gatedDemo(speed: number): { processors: ProcessorSet; open(url: string): void } {
  const demo = demoProcessors({ speed });
  const ingestion = gated({ VideoIngestion: demo.VideoIngestion! }, (job) => (job.input as { url: string }).url);
  return { processors: { ...demo, ...ingestion.processors }, open: ingestion.open };
}

/** Calls `read` until `ok` holds of its result (a REST poll), failing after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Asserts a list is in non-decreasing order. */
export function nonDecreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v >= values[i - 1]!);
}

export function strictlyIncreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]!);
}

type ServiceOptions = Parameters<typeof startService>[1];

/** A service for a whole `describe`: started before its tests on a fresh directory, closed and removed after. */
export function serviceFixture(options: ServiceOptions = {}): { readonly service: RunningService } {
  const dir = tempDir();
  let service: RunningService | undefined;
  before(async () => {
    service = await startService(dir.path, options);
  });
  after(async () => {
    await service?.close();
    dir.cleanup();
  });
  return {
    get service() {
      if (!service) throw new Error('the service is not started yet');
      return service;
    },
  };
}

/** Subscribes a fresh WebSocket client to the job and waits until it hears the job completed (or already had). */
export async function awaitCompletion(service: RunningService, jobId: string, timeoutMs = 20_000): Promise<void> {
  const connection = await connectClient(service.hubUrl, CASES[0]!);
  try {
    const completed = recordCalls<unknown>(connection, 'JobCompleted');
    const updates = recordCalls<{ status: string }>(connection, 'JobProgressUpdate');
    await connection.invoke('SubscribeToJob', jobId);
    await waitUntil(() => completed.length === 1 || updates.some((u) => u.status === 'Completed'), timeoutMs, `JobCompleted for ${jobId}`);
  } finally {
    await connection.stop();
  }
}
