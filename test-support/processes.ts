/**
 * Child processes started by tests: killed when the test process exits, and a
 * helper to run a TypeScript entry point (workspace packages resolved to their
 * sources) that announces itself with one JSON line on stdout.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const children = new Set<ChildProcess>();
let hooked = false;

/** Kills `child` (SIGKILL) if it is still running when this process exits, however it exits. */
export function killOnExit(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const c of children) c.kill('SIGKILL');
  });
}

export interface NodeScript<TInfo> {
  readonly child: ChildProcess;
  /** The JSON the script printed first. */
  readonly info: TInfo;
  /** Everything it wrote so far (stdout after the first line, and stderr), for failure messages. */
  readonly output: () => string;
  /** Resolves with the exit code or signal once it has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs `node --conditions=tidings-src --import tsx <file> ...args` and resolves
 * with the first line it prints on stdout, parsed as JSON.
 */
export function startNodeScript<TInfo>(file: string, args: readonly string[] = [], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<NodeScript<TInfo>> {
  const child = spawn(process.execPath, ['--conditions=tidings-src', '--import', 'tsx', file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  killOnExit(child);
  let output = '';
  let firstLine: string | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} printed nothing within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (firstLine !== undefined) {
        output += chunk.toString();
        return;
      }
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      firstLine = buffered.slice(0, newline);
      output += buffered.slice(newline + 1);
      clearTimeout(timer);
      let info: TInfo;
      try {
        info = JSON.parse(firstLine) as TInfo;
      } catch {
        child.kill('SIGKILL');
        reject(new Error(`${file} printed a first line that is not JSON: ${firstLine}\n${output}`));
        return;
      }
      resolve({
        child,
        info,
        output: () => output,
        exited,
        async stop(signal: NodeJS.Signals = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
    void exited.then(({ code, signal }) => {
      if (firstLine !== undefined) return;
      clearTimeout(timer);
      reject(new Error(`${file} exited (${code ?? signal}) before announcing itself:\n${output}`));
    });
  });
}
