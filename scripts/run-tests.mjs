#!/usr/bin/env node
// Runs every test file of the repository with Node's test runner (TypeScript via tsx,
// workspace packages resolved to their sources). Checks the system tools some suites
// need; without them those suites are skipped with the reason printed, and under
// CI=true a missing tool is a failure, never a skip.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, ensureInstalled } from './setup.mjs';

const root = new URL('..', import.meta.url).pathname;
const ci = process.env.CI === 'true' || process.env.CI === '1';

function findTests(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function commandExists(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const requirements = [
  { env: 'TIDINGS_REDIS_SERVER', name: 'redis-server', found: commandExists('redis-server'), why: 'Redis backplane and BullMQ suites start a real redis-server' },
  { env: 'TIDINGS_CHROMIUM', name: '/usr/bin/chromium', found: existsSync('/usr/bin/chromium'), why: 'browser suites drive Debian Chromium with playwright-core' },
];

const missing = requirements.filter((r) => !r.found);
if (missing.length > 0) {
  for (const r of missing) {
    const line = `${r.name} not found: ${r.why}.`;
    if (ci) console.error(`CI=true and ${line} Install it (see .ci/run); nothing may be skipped in CI.`);
    else console.warn(`SKIPPING suites that need ${line} Install it to run them (apt-get install ${r.name === 'redis-server' ? 'redis-server' : 'chromium'}).`);
  }
  if (ci) process.exit(1);
}

ensureInstalled();
if (process.env.TIDINGS_SKIP_BUILD !== '1') {
  build();
  // The build checks the sources; tests, the bench and shared harnesses are type-checked here.
  const check = spawnSync('npx', ['tsc', '-p', 'tsconfig.test.json'], { cwd: root, stdio: 'inherit' });
  if (check.status !== 0) {
    console.error('Type-checking the tests failed.');
    process.exit(check.status ?? 1);
  }
}

const filter = process.argv.slice(2);
let files = [...findTests(join(root, 'packages')), ...findTests(join(root, 'examples')), ...findTests(join(root, 'bench')), ...findTests(join(root, 'test'))].sort();
if (filter.length > 0) files = files.filter((f) => filter.some((pattern) => f.includes(pattern)));
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}
console.log(`Running ${files.length} test files:\n${files.map((f) => `  ${relative(root, f)}`).join('\n')}`);

const env = { ...process.env };
for (const r of requirements) env[r.env] = r.found ? '1' : '';
const result = spawnSync(
  process.execPath,
  [
    '--conditions=tidings-src',
    '--expose-gc',
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? '2'}`,
    '--test-timeout=180000',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit', env, cwd: root },
);
if (missing.length > 0) console.warn(`\nSkipped (missing tools): ${missing.map((r) => r.name).join(', ')}`);
process.exit(result.status ?? 1);
