/**
 * Every TypeScript block of every README type-checks, and the runnable ones run.
 * The convention (``` ```ts run ```, complete modules, REDIS_URL) is documented in
 * `test/support/readme-blocks.ts` and in the root README's "Writing READMEs".
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ts from 'typescript';
import { killOnExit } from '../test-support/processes.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../test-support/redis-server.js';
import { type ReadmeBlock, blockFileName, readmeBlocks } from './support/readme-blocks.js';

const root = new URL('..', import.meta.url).pathname;
/** Git-ignored, inside the repository so `@tidings/*` resolve through its node_modules. */
const dir = join(root, '.readme-blocks');
/** A block has this long to run to its end (tsx compiles the packages' sources first). */
const RUN_TIMEOUT_MS = 90_000;

const blocks = readmeBlocks(root);
const runnable = blocks.filter((b) => b.runnable);
const fileOf = new Map<string, ReadmeBlock>();

function where(block: ReadmeBlock, line = 0): string {
  return `${block.readme}:${block.line + line} (block at line ${block.line})`;
}

before(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const block of blocks) {
    const path = join(dir, blockFileName(block));
    // `export {}` makes every block a module (top-level await, its own scope) without moving its lines.
    writeFileSync(path, `${block.code}\nexport {};\n`);
    fileOf.set(path, block);
  }
});

describe('README TypeScript blocks', () => {
  test('are found in the READMEs', () => {
    assert.ok(blocks.length > 10, `only ${blocks.length} blocks found`);
    assert.ok(runnable.length > 0, 'no block is marked runnable');
  });

  test('type-check (strict, ESM, the base settings, @tidings/* from source)', () => {
    const base = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.base.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    assert.ok(base, 'tsconfig.base.json could not be read');
    const options: ts.CompilerOptions = {
      ...base.options,
      noEmit: true,
      composite: false,
      incremental: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      customConditions: ['tidings-src'],
      jsx: ts.JsxEmit.ReactJSX,
    };
    const program = ts.createProgram({ rootNames: [...fileOf.keys()], options });
    const problems: string[] = [];
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const block = diagnostic.file ? fileOf.get(diagnostic.file.fileName) : undefined;
      if (diagnostic.file && block && diagnostic.start !== undefined) {
        const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
        problems.push(`${where(block, line)}: TS${diagnostic.code}: ${message}`);
      } else {
        problems.push(`${diagnostic.file?.fileName ?? '(no file)'}: TS${diagnostic.code}: ${message}`);
      }
    }
    assert.equal(problems.length, 0, `README blocks that do not type-check:\n${problems.join('\n')}`);
  });

  describe('marked `run`', () => {
    let redis: RedisServer | undefined;
    const needsRedis = (block: ReadmeBlock): boolean => block.code.includes('REDIS_URL');
    before(async () => {
      if (!redisSkipReason && runnable.some(needsRedis)) redis = await startRedisServer();
    });
    after(() => redis?.stop());

    for (const block of runnable) {
      test(`${block.readme} line ${block.line} runs and exits 0`, { skip: needsRedis(block) ? redisSkipReason : undefined }, async () => {
        const file = join(dir, blockFileName(block));
        // Its own working directory, so relative paths it writes (data/…) stay inside the ignored folder.
        const cwd = join(dir, `run-${blockFileName(block)}`);
        mkdirSync(cwd, { recursive: true });
        // PORT=0: a block that listens on PORT gets a free port rather than the 5000 a developer may be using.
        const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', REDIS_URL: redis?.url };
        if (!redis) delete env.REDIS_URL;
        const child = spawn(process.execPath, ['--conditions=tidings-src', '--import', 'tsx', file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        killOnExit(child);
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
        const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
        clearTimeout(timer);
        const how = signal === 'SIGKILL' ? `did not exit within ${RUN_TIMEOUT_MS / 1000} s (killed)` : `exited with ${code ?? signal}`;
        assert.equal(code, 0, `${where(block)} ${how}:\n${output.slice(-4000)}`);
      });
    }
  });
});
