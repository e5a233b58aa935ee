/** Runs the `tidings` command from its sources, piped, as a user's shell would. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killOnExit } from '../../../../test-support/processes.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface CliRun {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the command has ended. */
  readonly exitCode: Promise<number | null>;
  /** Resolves once stdout matches `pattern`. */
  printed(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliRun {
  // The caller's own TIDINGS_URL / TIDINGS_TOKEN must not leak in.
  const { TIDINGS_URL: _url, TIDINGS_TOKEN: _token, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--conditions=tidings-src', '--import', 'tsx', main, ...args], {
    cwd: repoRoot,
    env: { ...inherited, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const check of [...waiters]) check();
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exitCode = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exitCode,
    printed(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`tidings ${args.join(' ')} did not print ${pattern} within ${timeoutMs} ms.\nstdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        const check = () => {
          if (!pattern.test(out)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Runs a command to its end: its exit code and output. */
export async function runToEnd(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = runCli(args, env);
  const code = await run.exitCode;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
