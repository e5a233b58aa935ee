/**
 * Finds the TypeScript blocks of the repository's READMEs, so `test/readme-blocks-typecheck.test.ts`
 * and `test/readme-blocks-run.test.ts` can type-check every one and run the runnable ones.
 *
 * The convention, for whoever writes a README:
 * - A ```` ```ts ```` or ```` ```tsx ```` block is a complete ES module: it type-checks on its own
 *   (strict, the repository's base settings, `@tidings/*` resolved to their sources). A fragment
 *   that cannot be complete belongs in prose or a ```` ```text ```` block.
 * - ```` ```ts run ```` marks a block that also runs (with tsx, in a child process) and must exit 0
 *   within a few seconds: close what it opens. A runnable block that reads `REDIS_URL` gets one
 *   from a redis-server the test starts on a free port.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface ReadmeBlock {
  /** The README, relative to the repository root. */
  readonly readme: string;
  /** 1-based line of the block's first code line (the line after the fence). */
  readonly line: number;
  readonly language: 'ts' | 'tsx';
  /** The fence's info string says `run`. */
  readonly runnable: boolean;
  readonly code: string;
}

/** Every README.md of the repository: the root, `packages/*`, `examples/*` and `bench`. */
export function findReadmes(root: string): string[] {
  const readmes = [join(root, 'README.md'), join(root, 'bench', 'README.md')];
  for (const parent of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, parent)).sort()) readmes.push(join(root, parent, name, 'README.md'));
  }
  return readmes.filter((path) => existsSync(path));
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/;

/** The TypeScript blocks of one markdown text, in order. */
export function extractBlocks(markdown: string, readme: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, , fence, language, rest] = open;
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    if (language === 'ts' || language === 'tsx' || language === 'typescript') {
      blocks.push({
        readme,
        line: i + 2,
        language: language === 'tsx' ? 'tsx' : 'ts',
        runnable: rest.split(/\s+/).includes('run'),
        code: lines.slice(i + 1, end).join('\n'),
      });
    }
    i = end;
  }
  return blocks;
}

export function readmeBlocks(root: string): ReadmeBlock[] {
  return findReadmes(root).flatMap((path) => extractBlocks(readFileSync(path, 'utf8'), relative(root, path)));
}

/** A file name for a block: its README's path and line, readable in compiler output. */
export function blockFileName(block: ReadmeBlock): string {
  const slug = block.readme.replace(/\/?README\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-') || 'root';
  return `${slug}-L${block.line}.${block.language}`;
}

/**
 * Writes every block as a module under `dir` (emptied first; git-ignored, inside the repository so
 * `@tidings/*` resolve through its node_modules) and returns each file with its block.
 */
export function writeBlocks(root: string, dir: string): Map<string, ReadmeBlock> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, ReadmeBlock>();
  for (const block of readmeBlocks(root)) {
    const path = join(dir, blockFileName(block));
    // `export {}` makes every block a module (top-level await, its own scope) without moving its lines.
    writeFileSync(path, `${block.code}\nexport {};\n`);
    files.set(path, block);
  }
  return files;
}

/** `README.md:LINE (block at line N)`: where a problem is, for failure messages. */
export function where(block: ReadmeBlock, line = 0): string {
  return `${block.readme}:${block.line + line} (block at line ${block.line})`;
}
