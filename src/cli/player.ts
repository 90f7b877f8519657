/**
 * Audio players: finds one that can play the format (ffplay, mpv, paplay/aplay for pcm and wav from stdin; macOS's
 * afplay, which cannot read a pipe, from a temporary file once the audio is complete), spawns it without a shell, and
 * feeds it the audio. A player the user closed is a normal end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { UsageError } from '../errors.js';
import type { AudioFormat } from '../protocol/limits.js';
import { FileSink, StreamSink, type AudioSink } from '../tts/audio-sink.js';
import { releaseTempFile, trackTempFile } from '../temp-files.js';

/**
 * In a player's arguments, the path of a file holding the complete audio: for players that cannot read a pipe
 * (`--player "afplay {file}"`). Without it, a player reads the audio on stdin as it arrives.
 */
export const FILE_PLACEHOLDER = '{file}';

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
  // Last: it starts only when the audio is complete.
  if (format === 'mp3' || format === 'wav') players.push({ name: 'afplay', program: 'afplay', args: [FILE_PLACEHOLDER] });
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
    hint: 'install ffmpeg (ffplay) or mpv, pass --player "CMD" (it reads audio on stdin; "CMD {file}" plays a file), or write a file with -o',
  });
}

/** How a player ended, and the last of what it printed on stderr. */
export interface PlayerOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** A sink that ends in a player: its outcome is known once the player has exited. */
export interface PlayingSink extends AudioSink {
  /** How the player ended (waits for it). */
  outcome(): Promise<PlayerOutcome>;
}

/** Whether a sink ends in a player. */
export function isPlayingSink(sink: AudioSink): sink is PlayingSink {
  return 'outcome' in sink;
}

/** Whether the player failed: a non-zero exit code (a player stopped by a signal was closed, not failing). */
export function playerFailed(outcome: PlayerOutcome): boolean {
  return outcome.code !== 0 && outcome.code !== null;
}

/** "the player exited with code 3{when}: its last lines", for a warning or an error. */
export function describePlayerExit(outcome: PlayerOutcome, when = ''): string {
  const said = outcome.stderr ? `: ${outcome.stderr.split('\n').slice(-3).join(' / ')}` : '';
  return `the player exited with code ${outcome.code ?? '?'}${when}${said}`;
}

/** The error (exit 2) for a player that failed. */
export function playerError(outcome: PlayerOutcome, when = ''): UsageError {
  return new UsageError(describePlayerExit(outcome, when), {
    code: 'PLAYER',
    hint: 'check the player command (--player), or write a file with -o and play it afterwards',
  });
}

/** Whether a player plays a file (FILE_PLACEHOLDER in its arguments) rather than reading stdin. */
export function playsFile(player: PlayerCommand): boolean {
  return player.args.some((a) => a.includes(FILE_PLACEHOLDER));
}

/** The sink for a player: fed on stdin as audio arrives, or, for a file player, a temporary file played at the end. */
export async function openPlayer(player: PlayerCommand, env: NodeJS.ProcessEnv, format: AudioFormat): Promise<PlayingSink> {
  return playsFile(player) ? FilePlayerSink.open(player, env, format) : new PlayerSink(player, env);
}

/** A spawned player: its exit and the tail of its stderr. */
class PlayerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stderrTail = '';

  constructor(program: string, args: string[], env: NodeJS.ProcessEnv, stdin: 'pipe' | 'ignore') {
    this.child = spawn(program, args, { stdio: [stdin, 'ignore', 'pipe'], env, shell: false });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => resolve({ code, signal }));
      this.child.once('error', () => resolve({ code: -1, signal: null }));
    });
  }

  async outcome(): Promise<PlayerOutcome> {
    const r = await this.exited;
    return { ...r, stderr: this.#stderrTail.trim() };
  }

  async stop(): Promise<void> {
    this.child.stdin?.destroy();
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** Audio fed to a player process; committing waits until the player has played everything and exited. */
export class PlayerSink extends StreamSink implements PlayingSink {
  readonly #player: PlayerProcess;

  constructor(player: PlayerCommand, env: NodeJS.ProcessEnv) {
    const process = new PlayerProcess(player.program, player.args, env, 'pipe');
    if (!process.child.stdin) throw new Error('player has no stdin');
    super(process.child.stdin);
    this.#player = process;
  }

  /** Ends the player's input and waits for it to finish playing. */
  override async commit(): Promise<void> {
    this.#player.child.stdin?.end();
    await this.#player.exited;
  }

  /** Stops the player now. */
  override async abort(): Promise<void> {
    await this.#player.stop();
  }

  outcome(): Promise<PlayerOutcome> {
    return this.#player.outcome();
  }
}

/**
 * Audio for a player that cannot read a pipe: written to a temporary file (a FileSink, so retries rewind it and WAV
 * sizes are fixed), which the player gets once the audio is complete, and which is removed after it has played.
 */
export class FilePlayerSink implements PlayingSink {
  readonly #file: FileSink;
  readonly #player: PlayerCommand;
  readonly #env: NodeJS.ProcessEnv;
  #process: PlayerProcess | undefined;
  #ended = false;

  private constructor(file: FileSink, player: PlayerCommand, env: NodeJS.ProcessEnv) {
    this.#file = file;
    this.#player = player;
    this.#env = env;
  }

  static async open(player: PlayerCommand, env: NodeJS.ProcessEnv, format: AudioFormat): Promise<FilePlayerSink> {
    const path = join(tmpdir(), `cosy-play-${randomBytes(6).toString('hex')}.${format}`);
    return new FilePlayerSink(await FileSink.create(path, { wav: format === 'wav' }), player, env);
  }

  get bytesWritten(): number {
    return this.#file.bytesWritten;
  }

  get canRewind(): boolean {
    return true;
  }

  write(data: Buffer): Promise<void> {
    return this.#file.write(data);
  }

  rewind(offset: number): Promise<void> {
    return this.#file.rewind(offset);
  }

  /** Completes the file, plays it and waits for the player; the file is removed whatever happens. */
  async commit(): Promise<void> {
    const path = this.#file.path;
    await this.#file.commit();
    trackTempFile(path);
    try {
      const args = this.#player.args.map((a) => a.replaceAll(FILE_PLACEHOLDER, path));
      this.#process = new PlayerProcess(this.#player.program, args, this.#env, 'ignore');
      await this.#process.exited;
    } finally {
      await this.#remove();
    }
  }

  async abort(): Promise<void> {
    await this.#file.abort();
    await this.#process?.stop();
    await this.#remove();
  }

  async #remove(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await unlink(this.#file.path).catch(() => undefined);
    releaseTempFile(this.#file.path);
  }

  /** How the player ended; a player never started (the audio did not complete) counts as a clean end. */
  async outcome(): Promise<PlayerOutcome> {
    return this.#process ? this.#process.outcome() : { code: 0, signal: null, stderr: '' };
  }
}
