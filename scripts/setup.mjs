// Shared by `npm test` and `npm start`: installs the locked dependencies when
// node_modules is missing or stale, then builds every workspace (incrementally).
// Plain Node with no dependencies, so it runs on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function run(command, args, what) {
  console.log(`> ${what}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.error(`${what} failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

export function ensureInstalled() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = existsSync(marker) && existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000;
  if (!existsSync(marker) || stale) {
    run('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund'], 'Installing the locked dependencies');
  }
}

export function build() {
  run('npm', ['run', 'build', '--silent'], 'Building');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureInstalled();
  build();
}
