/**
 * The scaled service as separate OS processes for the scale tests: API nodes
 * (`main.ts`, ROLE=api) and workers (`worker.ts`), each killed when the test
 * process exits; clients of `/hubs/job-progress` that record every job event.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killOnExit } from '../../../test-support/processes.js';
import { TRANSPORT_CASES, connect, type signalR } from '../../hub/test/support/signalr.js';
import { EXAMPLE_PLUGINS, type ServiceProcess, spawnService } from './support/process.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface WorkerProcess {
  readonly child: ServiceProcess['child'];
  readonly nodeId: string;
  readonly exited: Promise<number | string>;
  output(): string;
  kill(signal?: NodeJS.Signals): void;
}

/** An API node (ROLE=api) on a free port, once its /health answers. */
export async function startApiNode(env: Record<string, string>): Promise<ServiceProcess> {
  const node = await spawnService({ ROLE: 'api', ...env });
  killOnExit(node.child);
  return node;
}

/** `node packages/server/src/worker.ts` as `npm run worker` runs it, once it takes jobs. */
export function startWorkerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--conditions=tidings-src', '--import', 'tsx', 'packages/server/src/worker.ts'], {
    cwd: repoRoot,
    env: { ...process.env, TIDINGS_PLUGINS: EXAMPLE_PLUGINS, ...env, LOG_LEVEL: 'info' }, // the start line is logged at info
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let output = '';
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.includes('tidings worker is running jobs'));
      if (!line) return;
      clearTimeout(timer);
      resolve({
        child,
        nodeId: (JSON.parse(line) as { nodeId: string }).nodeId,
        exited,
        output: () => output,
        kill: (signal = 'SIGKILL') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited (${code}) while starting:\n${output}`));
    });
  });
}

/** A job event as a client of `/hubs/job-progress` got it. */
export interface Arrival {
  readonly method: string;
  readonly jobId: string;
  readonly sequence: number;
  readonly status?: string;
  readonly statusMessage?: string | null;
}

export interface RecordingClient {
  readonly connection: signalR.HubConnection;
  /** JobProgressUpdate, JobCompleted and JobFailed, in arrival order. */
  readonly arrivals: Arrival[];
  /** UserNotification and BroadcastNotification, in arrival order. */
  readonly notices: { method: string; type: string; data?: { jobId?: string } }[];
  sequencesOf(jobId: string): number[];
  stop(): Promise<void>;
}

/** A WebSocket client of node `url`'s `/hubs/job-progress`, as `userId` (a dev token of that node) or anonymous. */
export async function recordingClient(url: string, userId?: string): Promise<RecordingClient> {
  let accessToken: string | undefined;
  if (userId) {
    const response = await fetch(`${url}/api/v1/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
    accessToken = ((await response.json()) as { token: string }).token;
  }
  const connection = await connect(`${url}/hubs/job-progress`, TRANSPORT_CASES[0]!, { accessToken });
  const arrivals: Arrival[] = [];
  const notices: RecordingClient['notices'] = [];
  for (const method of ['JobProgressUpdate', 'JobCompleted', 'JobFailed']) {
    connection.on(method, (payload: Omit<Arrival, 'method'>) => arrivals.push({ method, ...payload }));
  }
  for (const method of ['UserNotification', 'BroadcastNotification']) {
    connection.on(method, (payload: { type: string; data?: { jobId?: string } }) => notices.push({ method, ...payload }));
  }
  return {
    connection,
    arrivals,
    notices,
    sequencesOf: (jobId) => arrivals.filter((a) => a.jobId === jobId).map((a) => a.sequence),
    stop: () => connection.stop(),
  };
}

/** JSON over HTTP against one node. */
export async function call(url: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** The sequences of a job's stored history, as any node answers them. */
export async function historySequences(url: string, jobId: string): Promise<{ sequence: number; kind: string }[]> {
  const { body } = await call(url, `/api/v1/jobs/${jobId}/events?after=0&limit=1000`);
  return (body.events as { sequence: number; kind: string }[]).map(({ sequence, kind }) => ({ sequence, kind }));
}
