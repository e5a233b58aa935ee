/**
 * Every TypeScript block of every README type-checks: strict, ESM, the repository's base
 * settings, `@tidings/*` resolved to their sources. The convention (complete modules,
 * ```` ```ts run ```` for runnable ones) is documented in `test/support/readme-blocks.ts` and
 * in the root README's "Writing READMEs"; `readme-blocks-run.test.ts` runs the runnable ones.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { where, writeBlocks } from './support/readme-blocks.js';

const root = new URL('..', import.meta.url).pathname;

test('every README TypeScript block type-checks (strict, ESM, the base settings, @tidings/* from source)', () => {
  const files = writeBlocks(root, join(root, '.readme-blocks', 'typecheck'));
  assert.ok(files.size > 10, `only ${files.size} blocks found`);
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
  const program = ts.createProgram({ rootNames: [...files.keys()], options });
  const problems: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const block = diagnostic.file ? files.get(diagnostic.file.fileName) : undefined;
    if (diagnostic.file && block && diagnostic.start !== undefined) {
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      problems.push(`${where(block, line)}: TS${diagnostic.code}: ${message}`);
    } else {
      problems.push(`${diagnostic.file?.fileName ?? '(no file)'}: TS${diagnostic.code}: ${message}`);
    }
  }
  assert.equal(problems.length, 0, `README blocks that do not type-check:\n${problems.join('\n')}`);
});
