/**
 * Audio players: finds one that can play the format from stdin (ffplay, mpv, paplay/aplay for pcm and wav),
 * spawns it without a shell, and feeds it audio as it arrives. A player the user closed is a normal end.
 * macOS's afplay cannot read a pipe, so it is not offered; install ffplay or mpv, or pass --player.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { UsageError } from '../errors.js';
import type { AudioFormat } from '../protocol/limits.js';
import { StreamSink } from '../tts/audio-sink.js';

/** A resolved player: the program and its arguments. */
export interface PlayerCommand {
  program: string;
  args: string[];
  /** Short name for messages. */
  name: string;
}

/** The players cosy knows, in order of preference, with their arguments per format. */
export function knownPlayers(format: AudioFormat, sampleRate: number): PlayerCommand[] {
  const rate = String(sampleRate);
  const players: PlayerCommand[] = [];
  const ffplay = ['-nodisp', '-autoexit', '-loglevel', 'error'];
  players.push({
    name: 'ffplay',
    program: 'ffplay',
    args: format === 'pcm' ? [...ffplay, '-f', 's16le', '-ar', rate, '-ac', '1', '-i', '-'] : [...ffplay, '-i', '-'],
  });
  const mpv = ['--no-video', '--really-quiet', '--no-terminal', '--cache=no'];
  players.push({
    name: 'mpv',
    program: 'mpv',
    args:
      format === 'pcm'
        ? [...mpv, '--demuxer=rawaudio', `--demuxer-rawaudio-rate=${rate}`, '--demuxer-rawaudio-channels=1', '--demuxer-rawaudio-format=s16le', '-']
        : [...mpv, '-'],
  });
  if (format === 'pcm') {
    players.push({ name: 'paplay', program: 'paplay', args: ['--raw', '--format=s16le', `--rate=${rate}`, '--channels=1'] });
    players.push({ name: 'aplay', program: 'aplay', args: ['-q', '-t', 'raw', '-f', 'S16_LE', '-r', rate, '-c', '1', '-'] });
  } else if (format === 'wav') {
    players.push({ name: 'paplay', program: 'paplay', args: [] });
    players.push({ name: 'aplay', program: 'aplay', args: ['-q', '-t', 'wav', '-'] });
  }
  return players;
}

/** The full path of an executable found on PATH (or the path itself when it contains a slash), if any. */
export function findExecutable(program: string, env: NodeJS.ProcessEnv): string | undefined {
  const candidates = program.includes('/') ? [program] : (env['PATH'] ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return isAbsolute(candidate) ? candidate : join(process.cwd(), candidate);
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Splits a `--player` command line into words, honouring single and double quotes and backslash escapes
 * (no shell is involved, so nothing else is special).
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new UsageError(`--player ${JSON.stringify(line)} has an unclosed ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

/**
 * Picks the player before anything is sent: `--player CMD` if given (checked to exist), else the first known
 * player installed for the format.
 * @throws UsageError naming what was tried and what to do.
 */
export function resolvePlayer(format: AudioFormat, sampleRate: number, override: string | undefined, env: NodeJS.ProcessEnv): PlayerCommand {
  if (override !== undefined) {
    const [program, ...args] = splitCommandLine(override);
    if (program === undefined) throw new UsageError('--player is empty');
    const path = findExecutable(program, env);
    if (!path) throw new UsageError(`--player: ${program} was not found or is not executable`, { hint: 'give a full path, or check PATH' });
    return { name: program, program: path, args };
  }
  const known = knownPlayers(format, sampleRate);
  for (const player of known) {
    const path = findExecutable(player.program, env);
    if (path) return { ...player, program: path };
  }
  throw new UsageError(`no audio player for ${format} found on PATH (tried ${known.map((p) => p.name).join(', ')})`, {
    code: 'NO_PLAYER',
    hint: 'install ffmpeg (ffplay) or mpv, pass --player "CMD" (it reads audio on stdin), or write a file with -o',
  });
}

/** Audio fed to a player process; committing waits until the player has played everything and exited. */
export class PlayerSink extends StreamSink {
  readonly #child: ChildProcess;
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stderrTail: string;

  constructor(player: PlayerCommand, env: NodeJS.ProcessEnv) {
    const child = spawn(player.program, player.args, { stdio: ['pipe', 'ignore', 'pipe'], env, shell: false });
    if (!child.stdin) throw new Error('player has no stdin');
    super(child.stdin);
    this.#child = child;
    this.#stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    this.#exited = new Promise((resolve) => {
      child.once('close', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: -1, signal: null }));
    });
  }

  /** Ends the player's input and waits for it to finish playing. */
  override async commit(): Promise<void> {
    this.#child.stdin?.end();
    await this.#exited;
  }

  /** Stops the player now. */
  override async abort(): Promise<void> {
    this.#child.stdin?.destroy();
    this.#child.kill('SIGTERM');
    await this.#exited;
  }

  /** How the player ended and the last lines it printed (for a warning when it failed). */
  async outcome(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    const r = await this.#exited;
    return { ...r, stderr: this.#stderrTail.trim() };
  }
}
