import { type ChildProcess, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a worker process can be asked: command name → argument and result. */
export type CommandSet = { [command: string]: { arg: unknown; result: unknown } };

export type CommandHandlers<C extends CommandSet> = {
  [K in keyof C]: (arg: C[K]['arg']) => Promise<C[K]['result']> | C[K]['result'];
};

interface Request {
  readonly id: number;
  readonly command: string;
  readonly arg: unknown;
}

interface Response {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** Runs in a worker: answers the parent's commands over the IPC channel, one at a time in arrival order. */
export function serveCommands<C extends CommandSet>(handlers: CommandHandlers<C>): void {
  if (!process.send) throw new Error('This module runs as a forked worker (it needs an IPC channel).');
  const reply = (response: Response): void => {
    process.send!(response);
  };
  process.on('message', (raw: unknown) => {
    const request = raw as Request;
    const handler = (handlers as Record<string, (arg: unknown) => unknown>)[request.command];
    if (!handler) {
      reply({ id: request.id, error: `Unknown command '${request.command}'.` });
      return;
    }
    Promise.resolve()
      .then(() => handler(request.arg))
      .then(
        (result) => reply({ id: request.id, result }),
        (error: unknown) => reply({ id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  // The parent going away ends the worker, so a crashed run leaves nothing behind.
  process.on('disconnect', () => process.exit(0));
}

/** Node flags for a worker: TypeScript through tsx, workspace packages from their sources. */
function workerExecArgv(extra: readonly string[]): string[] {
  // The bench's own TypeScript through tsx; the tidings packages as built (dist), as users run them.
  return ['--import', import.meta.resolve('tsx'), ...extra];
}

/** The parent's handle on a forked worker process. */
export class Worker<C extends CommandSet> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private exited: Error | undefined;

  private constructor(
    private readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (raw: unknown) => {
      const response = raw as Response;
      const waiter = this.pending.get(response.id);
      if (!waiter) return;
      this.pending.delete(response.id);
      if (response.error !== undefined) waiter.reject(new Error(`${this.name}: ${response.error}`));
      else waiter.resolve(response.result);
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(`${this.name} exited (${signal ?? `code ${code}`}).`);
      for (const waiter of this.pending.values()) waiter.reject(this.exited);
      this.pending.clear();
    });
  }

  /**
   * Forks `entry`. With `fdLimit`, the worker starts under a shell that raises
   * its own file-descriptor limit first (`ulimit -n`, for this process only;
   * never the system's), so it can hold that many sockets.
   */
  static start<C extends CommandSet>(name: string, entry: URL, nodeFlags: readonly string[] = [], fdLimit?: number): Worker<C> {
    const stdio = ['ignore', 'inherit', 'inherit', 'ipc'] as const;
    const child =
      fdLimit === undefined
        ? fork(fileURLToPath(entry), [], { execArgv: workerExecArgv(nodeFlags), stdio: [...stdio] })
        : spawn('/bin/sh', ['-c', `ulimit -n ${Math.floor(fdLimit)} && exec "$@"`, 'sh', process.execPath, ...workerExecArgv(nodeFlags), fileURLToPath(entry)], {
            stdio: [...stdio],
          });
    return new Worker<C>(name, child);
  }

  call<K extends keyof C & string>(command: K, arg: C[K]['arg']): Promise<C[K]['result']> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command, arg } satisfies Request);
    });
  }

  /** Ends the worker (it exits when its IPC channel closes); its sockets close with it. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}
