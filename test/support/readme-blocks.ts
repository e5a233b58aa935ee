/**
 * Finds the TypeScript blocks of the repository's READMEs, so `test/readme-blocks.test.ts`
 * can type-check every one and run the runnable ones.
 *
 * The convention, for whoever writes a README:
 * - A ```` ```ts ```` or ```` ```tsx ```` block is a complete ES module: it type-checks on its own
 *   (strict, the repository's base settings, `@tidings/*` resolved to their sources). A fragment
 *   that cannot be complete belongs in prose or a ```` ```text ```` block.
 * - ```` ```ts run ```` marks a block that also runs (with tsx, in a child process) and must exit 0
 *   within a few seconds: close what it opens. A runnable block that reads `REDIS_URL` gets one
 *   from a redis-server the test starts on a free port.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
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
