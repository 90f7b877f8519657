import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findExecutable, knownPlayers, resolvePlayer, splitCommandLine } from '../../../src/cli/player.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cosy-player-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fakeExecutable(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\ncat > /dev/null\n');
  chmodSync(path, 0o755);
  return path;
}

describe('splitCommandLine', () => {
  it.each([
    ['mpv -', ['mpv', '-']],
    ['  ffplay   -nodisp  ', ['ffplay', '-nodisp']],
    ['"/opt/my player/bin" --x "a b"', ['/opt/my player/bin', '--x', 'a b']],
    ["sh -c 'cat > out'", ['sh', '-c', 'cat > out']],
    ['a\\ b c', ['a b', 'c']],
    ['x ""', ['x', '']],
  ])('%j', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });

  it('rejects an unclosed quote', () => {
    expect(() => splitCommandLine('mpv "oops')).toThrow('unclosed " quote');
  });
});

describe('resolvePlayer', () => {
  it('prefers ffplay, then mpv, and passes raw-pcm parameters', () => {
    fakeExecutable('mpv');
    const env = { PATH: dir };
    const p = resolvePlayer('pcm', 16000, undefined, env);
    expect(p.name).toBe('mpv');
    expect(p.program).toBe(join(dir, 'mpv'));
    expect(p.args).toContain('--demuxer-rawaudio-rate=16000');
    fakeExecutable('ffplay');
    expect(resolvePlayer('mp3', 22050, undefined, env).name).toBe('ffplay');
  });

  it('offers aplay/paplay only for pcm and wav', () => {
    fakeExecutable('aplay');
    expect(resolvePlayer('wav', 22050, undefined, { PATH: dir }).name).toBe('aplay');
    expect(() => resolvePlayer('mp3', 22050, undefined, { PATH: dir })).toThrow('no audio player for mp3 found on PATH (tried ffplay, mpv, afplay)');
    expect(knownPlayers('pcm', 8000).find((p) => p.name === 'aplay')?.args).toEqual(['-q', '-t', 'raw', '-f', 'S16_LE', '-r', '8000', '-c', '1', '-']);
  });

  it('checks a --player override exists and keeps its arguments', () => {
    const path = fakeExecutable('myplayer');
    expect(resolvePlayer('mp3', 22050, 'myplayer --flag "x y"', { PATH: dir })).toEqual({ name: 'myplayer', program: path, args: ['--flag', 'x y'] });
    expect(() => resolvePlayer('mp3', 22050, 'nosuchplayer', { PATH: dir })).toThrow('--player: nosuchplayer was not found');
  });

  it('does not take a non-executable file or a folder', () => {
    writeFileSync(join(dir, 'mpv'), 'not executable');
    expect(findExecutable('mpv', { PATH: dir })).toBeUndefined();
    expect(findExecutable(dir, { PATH: '' })).toBeUndefined();
  });
});
