/**
 * `cosy completion bash|zsh|fish`: each script passes its shell's syntax check, completes commands, subcommands,
 * options, choices and files, covers every command of the program tree, and never evaluates what the user typed.
 * bash is always tested; zsh and fish are tested when installed (the tests say so when they are skipped).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATHS } from '../helpers/command-tree.js';
import { baseEnv, runCli, tempDir } from '../helpers/run-cli.js';

/** Whether a shell is installed. */
function has(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0']).status === 0;
}
const HAS_ZSH = has('zsh');
const HAS_FISH = has('fish');
if (!HAS_ZSH) console.warn('completion tests: zsh is not installed; the zsh script is not checked (apt-get install zsh)');
if (!HAS_FISH) console.warn('completion tests: fish is not installed; the fish script is not checked (apt-get install fish)');

let dir: string;
let cleanup: () => void;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await runCli(['completion', shell], { env: baseEnv(dir) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    scripts[shell] = join(dir, `cosy.${shell}`);
    writeFileSync(join(dir, `cosy.${shell}`), r.stdout);
  }
  // Files and a folder to complete in the working directory of the shells.
  mkdirSync(join(dir, 'work', 'chapters'), { recursive: true });
  writeFileSync(join(dir, 'work', 'notes.txt'), 'Hi');
  writeFileSync(join(dir, 'work', 'narration.ssml'), '<speak>Hi</speak>');
});
afterAll(() => cleanup());

/** A word in single quotes for sh. */
function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What bash's completion offers for `words` (the last one is being completed). */
function bashComplete(...words: string[]): string[] {
  const program = [
    `source ${shQuote(scripts['bash'] ?? '')}`,
    `COMP_WORDS=(${words.map(shQuote).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_cosy_complete',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', program], { cwd: join(dir, 'work'), encoding: 'utf8', timeout: 10_000 });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter((l) => l !== '').sort();
}

/**
 * Drives an interactive zsh in a pseudo-terminal (zsh/zpty): types LINE and a Tab, and prints every match the
 * completion system adds (a compadd wrapper records them), one per line.
 */
const ZSH_CAPTURE = `
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'PROMPT='
zpty -w z 'autoload -U compinit; compinit -u -D'
zpty -w z "source \${(q)1}"
zpty -w z 'compadd() { if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; local h; for h in $__hits; do print -r -- $'"'"'\\x02'"'"'"$h"; done; builtin compadd "$@"; }'
zpty -w z 'finish() { print -r -- $'"'"'\\x03'"'"'; exit }; zstyle ":completion:*" completer _complete; comppostfuncs=(finish)'
zpty -w z 'bindkey "^I" complete-word'
zpty -n -w z "$2"$'\\t'
while zpty -r z line; do
  line=\${line//$'\\r'/}
  [[ $line == *$'\\x03'* ]] && break
  [[ $line == *$'\\x02'* ]] && print -r -- \${line#*$'\\x02'}
done
zpty -d z
`;

/** What zsh's completion offers for a command line. */
function zshComplete(line: string): string[] {
  const capture = join(dir, 'capture.zsh');
  if (!existsSync(capture)) writeFileSync(capture, ZSH_CAPTURE);
  const r = spawnSync('zsh', ['-f', capture, scripts['zsh'] ?? '', line], { cwd: join(dir, 'work'), encoding: 'utf8', timeout: 20_000 });
  return [...new Set(r.stdout.split('\n').filter((l) => l !== ''))].sort();
}

/** What fish's completion offers for a command line (`complete -C`), without descriptions. */
function fishComplete(line: string): string[] {
  const r = spawnSync('fish', ['--no-config', '-c', `source ${shQuote(scripts['fish'] ?? '')}; complete -C ${shQuote(line)}`], {
    cwd: join(dir, 'work'),
    encoding: 'utf8',
    timeout: 10_000,
  });
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t')[0] ?? '')
    .sort();
}


describe('syntax', () => {
  it('bash -n accepts the bash script', () => {
    const r = spawnSync('bash', ['-n', scripts['bash'] ?? ''], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!HAS_ZSH)('zsh -n accepts the zsh script (skipped when zsh is not installed)', () => {
    const r = spawnSync('zsh', ['-n', scripts['zsh'] ?? ''], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!HAS_FISH)('fish -n accepts the fish script (skipped when fish is not installed)', () => {
    const r = spawnSync('fish', ['--no-config', '-n', scripts['fish'] ?? ''], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('an unknown shell is a usage error', async () => {
    const r = await runCli(['completion', 'powershell'], { env: baseEnv(dir) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Allowed choices are bash, zsh, fish');
    expect(r.stdout.length).toBe(0);
  });
});

/** Cases every shell must complete the same way: [words typed, the last one being completed], expected. */
const CASES: Array<[string[], string[]]> = [
  [['cosy', 's'], ['say', 'stream']],
  [['cosy', 'say', '--for'], ['--format']],
  [['cosy', 'say', '--format', ''], ['mp3', 'opus', 'pcm', 'wav']],
  [['cosy', 'say', '--region', ''], ['cn', 'intl']],
  [['cosy', 'voices', 's'], ['show']],
  [['cosy', 'voices', 'show', '--js'], ['--json']],
  [['cosy', 'config', 'set'], ['set', 'set-key']],
  [['cosy', 'completion', ''], ['bash', 'fish', 'zsh']],
  [['cosy', 'doc'], ['doctor']],
  [['cosy', 'say', '-o', 'no'], ['notes.txt']],
  [['cosy', 'lint', 'n'], ['narration.ssml', 'notes.txt']],
  [['cosy', 'emulator', '--throttle-at', ''], ['handshake', 'task']],
  [['cosy', 'say', '--model', 'cosyvoice-v3'], ['cosyvoice-v3-flash', 'cosyvoice-v3-plus', 'cosyvoice-v3.5-flash', 'cosyvoice-v3.5-plus']],
  [['cosy', 'config', 'set', 're'], ['region']],
  [['cosy', 'config', 'get', 'http'], ['http-endpoint']],
  [['cosy', 'say', '--voice', 'lo'], []],
  [['cosy', 'say', 'no'], []],
];

describe('bash', () => {
  it.each(CASES)('%j → %j', (words, expected) => {
    expect(bashComplete(...words)).toEqual(expected);
  });

  it('completes option values given with = (split by COMP_WORDBREAKS)', () => {
    expect(bashComplete('cosy', 'say', '--format', '=', '')).toEqual(['mp3', 'opus', 'pcm', 'wav']);
    expect(bashComplete('cosy', 'say', '--format', '=', 'o')).toEqual(['opus']);
    expect(bashComplete('cosy', 'say', '--format', '=', 'mp3', '--reg')).toEqual(['--region']);
  });

  it('skips option values when finding the command path', () => {
    expect(bashComplete('cosy', 'voices', '--model', 'show', 'sh')).toEqual(['show']);
    expect(bashComplete('cosy', 'voices', '--custom', 'show', '--js')).toEqual(['--json']);
  });

  it('completes folders for folder options', () => {
    expect(bashComplete('cosy', 'batch', '-d', '')).toEqual(['chapters']);
  });

  it('offers every command and subcommand of the program tree', () => {
    for (const path of PATHS.filter((p) => p.length > 0)) {
      const parent = path.slice(0, -1);
      const name = path[path.length - 1] ?? '';
      expect(bashComplete('cosy', ...parent, name.slice(0, 1)), path.join(' ')).toContain(name);
      expect(bashComplete('cosy', ...path, '--'), path.join(' ')).toContain('--help');
    }
  });

  it('never evaluates the word being completed', () => {
    for (const words of [
      ['cosy', '$(touch pwned)'],
      ['cosy', 'say', '--format', '$(touch pwned)'],
      ['cosy', 'say', '-o', '$(touch pwned)'],
      ['cosy', 'lint', '`touch pwned`'],
      ['cosy', 'say', '--format', '=', '$(touch pwned)'],
      ['cosy', 'say', '-o', '*'],
    ]) {
      expect(bashComplete(...words)).toEqual([]);
    }
    expect(existsSync(join(dir, 'work', 'pwned'))).toBe(false);
  });
});

describe.skipIf(!HAS_ZSH)('zsh (skipped when zsh is not installed)', () => {
  it.each(CASES)('%j → %j', (words, expected) => {
    expect(zshComplete(words.join(' '))).toEqual(expected);
  });

  it('completes --option=value and folders', () => {
    expect(zshComplete('cosy say --format=o')).toEqual(['opus']);
    expect(zshComplete('cosy batch -d ')).toEqual(['chapters']);
  });

  it('never evaluates the word being completed', () => {
    zshComplete('cosy say --format $(touch pwned)');
    zshComplete('cosy lint $(touch pwned)');
    expect(existsSync(join(dir, 'work', 'pwned'))).toBe(false);
  });
});

describe.skipIf(!HAS_FISH)('fish (skipped when fish is not installed)', () => {
  it.each(CASES)('%j → %j', (words, expected) => {
    expect(fishComplete(words.join(' '))).toEqual(expected);
  });

  it('completes folders for folder options', () => {
    expect(fishComplete('cosy batch -d ')).toEqual(['chapters/']);
  });

  it('never evaluates the word being completed', () => {
    fishComplete('cosy say --format (touch pwned)');
    fishComplete('cosy lint (touch pwned)');
    expect(existsSync(join(dir, 'work', 'pwned'))).toBe(false);
  });
});
