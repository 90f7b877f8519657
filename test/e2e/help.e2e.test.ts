/**
 * Help text is interface: `cosy --help` and `cosy <command> --help` of every command and subcommand (found in the
 * program tree, so new commands are covered without editing this file) must match test/fixtures/help/*.txt, and
 * every one must have an "Examples:" section.
 *
 * After an intended change: COSY_UPDATE_HELP=1 npx vitest run test/e2e/help.e2e.test.ts, then review the fixtures'
 * diff like code.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATHS } from '../helpers/command-tree.js';
import { baseEnv, runCli, tempDir } from '../helpers/run-cli.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/help');
const UPDATE = process.env['COSY_UPDATE_HELP'] === '1';
const HOW_TO_UPDATE = 'COSY_UPDATE_HELP=1 npx vitest run test/e2e/help.e2e.test.ts';



/** The fixture of a command path: cosy.txt, cosy-say.txt, cosy-voices-show.txt. */
function fixtureName(path: readonly string[]): string {
  return `${['cosy', ...path].join('-')}.txt`;
}

describe('help text', () => {
  it.each(PATHS.map((path) => [['cosy', ...path, '--help'].join(' '), path] as const))('%s matches its fixture', async (label, path) => {
    const { dir, cleanup } = tempDir();
    // stdout is a pipe, so commander wraps at its default width (80) whatever the terminal; COLUMNS is fixed too,
    // so that help stays the same should cosy ever read it.
    const r = await runCli([...path, '--help'], { env: { ...baseEnv(dir), COLUMNS: '100' }, cwd: dir }).finally(cleanup);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const text = r.stdout.toString('utf8');
    expect(text, `${label} has no "Examples:" section`).toMatch(/\nExamples:\n {2}\S/);
    const file = join(FIXTURES, fixtureName(path));
    if (UPDATE) {
      mkdirSync(FIXTURES, { recursive: true });
      writeFileSync(file, text);
      return;
    }
    if (!existsSync(file)) {
      expect.fail(`no help fixture for \`${label}\`: create test/fixtures/help/${fixtureName(path)} with ${HOW_TO_UPDATE}, then review and commit it`);
    }
    expect(text, `the help of \`${label}\` changed; if that is intended, run ${HOW_TO_UPDATE} and review the diff`).toBe(readFileSync(file, 'utf8'));
  });

  it('every fixture belongs to a command', () => {
    const expected = new Set(PATHS.map(fixtureName));
    const stale = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => !expected.has(f)) : [];
    if (UPDATE) {
      for (const f of stale) rmSync(join(FIXTURES, f));
      return;
    }
    expect(stale, `fixtures without a command (delete them, or run ${HOW_TO_UPDATE})`).toEqual([]);
  });
});
