/**
 * The published packages work outside this repository: built, packed with `npm pack`,
 * installed from the tarballs into a fresh app under the system's temporary directory
 * (nothing of the repository on its module path), and run there by plain Node with no
 * `tidings-src` condition: a hub in a plain `http` server reached by the official client,
 * and the service running a job type the app defines, submitted over REST (`POST /api/v1/jobs`),
 * followed to completion with `@tidings/client` and listed by the CLI; and a TypeScript
 * user's code type-checks against the shipped declarations.
 *
 * Nothing is kept between runs. The install uses npm's cache (so it is quick) and
 * `--ignore-scripts`: better-sqlite3's install script would fetch a prebuilt binary
 * from GitHub or compile SQLite, neither possible or quick here, so the app gets the
 * repository's compiled binary of the same better-sqlite3 version copied in; the
 * service test then really opens SQLite with it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'test', 'fixtures', 'packed-app');

/** Every package meant to be installed from the registry (the examples and the bench are private to this repository). */
const PUBLISHED = ['@tidings/contract', '@tidings/hub', '@tidings/jobs', '@tidings/redis', '@tidings/redis-jobs', '@tidings/server', '@tidings/client', '@tidings/react', '@tidings/dashboard', '@tidings/cli'];

interface PackResult {
  readonly name: string;
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

function run(command: string, args: readonly string[], cwd: string): string {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // the app runs as a user's would: no tsx, no tidings-src condition
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} (in ${cwd}) failed with ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

describe('the packed packages, installed outside the repository', () => {
  let dir: string;
  let app: string;
  let packs: PackResult[];

  before(() => {
    // `dist` must be current before packing: `tsc -b` is incremental (quick after `npm test`'s own
    // build, a real build when sources changed); the dashboard's Vite build is made when missing.
    run('npx', ['tsc', '-b'], root);
    if (!existsSync(join(root, 'packages', 'dashboard', 'dist', 'index.html'))) run('npm', ['run', 'build', '--silent', '-w', '@tidings/dashboard'], root);
    dir = mkdtempSync(join(tmpdir(), 'tidings-packed-'));
    const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir, ...PUBLISHED.flatMap((name) => ['-w', name])], root);
    packs = JSON.parse(out) as PackResult[];

    app = join(dir, 'app');
    mkdirSync(app);
    const tarballs = Object.fromEntries(packs.map((p) => [p.name, `file:../${p.filename}`]));
    const sqlite = JSON.parse(readFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string };
    const signalr = JSON.parse(readFileSync(join(root, 'node_modules', '@microsoft', 'signalr', 'package.json'), 'utf8')) as { version: string };
    const typebox = JSON.parse(readFileSync(join(root, 'node_modules', '@sinclair', 'typebox', 'package.json'), 'utf8')) as { version: string };
    const typescript = JSON.parse(readFileSync(join(root, 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string };
    const nodeTypes = JSON.parse(readFileSync(join(root, 'node_modules', '@types', 'node', 'package.json'), 'utf8')) as { version: string };
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify(
        {
          name: 'an-app-of-our-users',
          private: true,
          type: 'module',
          dependencies: { ...tarballs, '@microsoft/signalr': `^${signalr.version}`, '@sinclair/typebox': `^${typebox.version}`, 'better-sqlite3': sqlite.version },
          devDependencies: { typescript: typescript.version, '@types/node': nodeTypes.version },
          // The siblings' own "0.1.0" dependencies resolve to these tarballs, never to a registry.
          overrides: Object.fromEntries(packs.map((p) => [p.name, `$${p.name}`])),
        },
        null,
        2,
      ),
    );
    cpSync(fixtures, app, { recursive: true });
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'], app);
    const release = join(app, 'node_modules', 'better-sqlite3', 'build', 'Release');
    mkdirSync(release, { recursive: true });
    copyFileSync(join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), join(release, 'better_sqlite3.node'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every tarball has its built code, README, LICENSE and no sources or tests', () => {
    assert.deepEqual(packs.map((p) => p.name).sort(), [...PUBLISHED].sort());
    for (const pack of packs) {
      const files = pack.files.map((f) => f.path);
      for (const needed of ['package.json', 'README.md', 'LICENSE']) assert.ok(files.includes(needed), `${pack.name} lacks ${needed}: ${files.join(', ')}`);
      const entry = pack.name === '@tidings/cli' ? 'dist/main.js' : pack.name === '@tidings/dashboard' ? 'dist/index.html' : 'dist/index.js';
      assert.ok(files.includes(entry), `${pack.name} lacks ${entry}`);
      assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), `${pack.name} ships its sources or tests`);
    }
  });

  test('the installed packages are copies from the tarballs, not links into the repository', () => {
    for (const name of readdirSync(join(app, 'node_modules', '@tidings'))) {
      assert.ok(!lstatSync(join(app, 'node_modules', '@tidings', name)).isSymbolicLink(), `@tidings/${name} is a link`);
    }
  });

  test("the shipped declarations type-check a TypeScript user's code (strict, NodeNext)", () => {
    const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
    run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', 'typed-app.ts'], app);
  });

  test('every package loads by its name', () => {
    assert.match(run(process.execPath, ['imports.mjs'], app), /imports ok: 8/);
  });

  test('a hub in a plain http server answers the official client', () => {
    assert.match(run(process.execPath, ['hub-app.mjs'], app), /hub ok/);
  });

  test("the service runs the app's own job type: bad input refused, submitted over REST, followed to completion by the client, listed by the CLI", () => {
    const line = run(process.execPath, ['service-app.mjs'], app).trim().split('\n').at(-1) ?? '';
    assert.deepEqual(JSON.parse(line), { message: 'Counted 3 words', status: 'Completed', progress: 100, dashboard: true, cliListed: true });
  });
});
