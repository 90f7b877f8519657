/**
 * The commander tree: every command, option and example of cosy. No side effects; actions lazy-import their
 * command so start-up stays fast. Only this file knows flag names.
 */
import { Command, Option } from 'commander';
import { AUDIO_FORMATS, LANGUAGE_HINTS } from '../protocol/limits.js';
import { DEFAULT_MODEL } from '../protocol/models.js';
import { VERSION } from '../version.js';
import type { CommandContext } from './context.js';
import { collect, parseCount, parseInteger, parseNumber, parsePort, parseSeconds } from './parse-args.js';

/** Adds the connection options shared by every command that talks to the service. */
function addConnectionOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--region <region>', 'service region: cn (Beijing) or intl (Singapore)').choices(['cn', 'intl']))
    .option('--endpoint <url>', 'WebSocket endpoint (default from the region; env DASHSCOPE_WEBSOCKET_BASE_URL)')
    .option('--http-endpoint <url>', 'HTTP API base URL (default from the region; env DASHSCOPE_HTTP_BASE_URL)')
    .option('--workspace <id>', 'Model Studio workspace id (env DASHSCOPE_WORKSPACE_ID)')
    .option('--api-key <key>', 'API key (prefer DASHSCOPE_API_KEY or a .env file: flags are visible to other users)')
    .option('--emulator', 'run against a built-in emulator of the service started in-process (no key, no network)');
}

/** Adds the output and synthesis-parameter options shared by say and stream. */
function addSynthesisOptions(cmd: Command): Command {
  return cmd
    .option('-o, --output <file>', 'write audio to this file (format from the extension); - for stdout')
    .addOption(new Option('--format <format>', 'audio format (default from -o, else mp3)').choices([...AUDIO_FORMATS]))
    .option('-m, --model <model>', 'synthesis model', DEFAULT_MODEL)
    .option('--voice <voice>', 'voice id (default: longanyang for v3 models; see `cosy voices`)')
    .option('--sample-rate <hz>', 'sample rate in Hz (8000, 16000, 22050, 24000, 44100, 48000; opus: 8000-48000)', parseInteger)
    .option('--volume <0-100>', 'volume, 0 to 100 (service default 50)', parseNumber)
    .option('--rate <0.5-2>', 'speaking rate, 0.5 to 2.0 (default 1.0)', parseNumber)
    .option('--pitch <0.5-2>', 'pitch, 0.5 to 2.0 (default 1.0)', parseNumber)
    .option('--bit-rate <kbps>', 'opus bit rate, 6 to 510 kbps (default 32)', parseNumber)
    .option('--seed <n>', 'random seed, 0 to 65535: same seed and input give the same audio', parseNumber)
    .addOption(new Option('--language <code>', 'language hint for text normalisation').choices([...LANGUAGE_HINTS]))
    .option('--instruction <text>', 'style instruction (Instruct-capable voices; see `cosy voices --instruct`)')
    .option('--markdown-filter', 'let the service strip Markdown symbols (v3-flash)')
    .option('--pronounce <file>', 'JSON file of pronunciation/replace rules (hot_fix, v3-flash)')
    .option('--aigc-tag', 'embed the invisible AIGC mark in the audio (v3 models)')
    .option('--aigc-propagator <id>', 'AIGC propagator (with --aigc-tag)')
    .option('--aigc-propagate-id <id>', 'AIGC propagate id (with --aigc-tag)')
    .option('--play', 'play the audio as it arrives (ffplay, mpv, paplay or aplay)')
    .option('--player <command>', 'play through this command, which reads audio on stdin (no shell)')
    .option('--retries <n>', 'retries of a task after throttling, server or network errors', parseCount, 2)
    .option('--timeout <seconds>', 'give up when the service sends nothing for this long', parseSeconds);
}

/** Adds output-control options shared by every command. */
function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('--verbose', 'report details on stderr (task id, timings, billed characters)')
    .option('-q, --quiet', 'print nothing but errors on stderr')
    .option('--json', 'print a JSON summary on stdout')
    .option('--no-color', 'no colours on stderr (also NO_COLOR)');
}

/** A subcommand: its name and how to build it (built only when needed, which keeps start-up fast). */
interface CommandEntry {
  name: string;
  build: (context: CommandContext) => Command;
}

/** Every subcommand of cosy, in help order. */
const COMMANDS: readonly CommandEntry[] = [
  { name: 'say', build: buildSay },
  { name: 'stream', build: buildStream },
  { name: 'emulator', build: buildEmulator },
];

/**
 * The subcommands worth building for `argv`: the one named, none for a bare `--version`, all otherwise (help, no
 * command, a typo that needs suggestions).
 */
export function commandsFor(argv: readonly string[]): readonly CommandEntry[] {
  const first = argv.find((a) => !a.startsWith('-'));
  const named = COMMANDS.find((c) => c.name === first);
  if (named) return [named];
  if (first === undefined && argv.length > 0 && argv.every((a) => a === '--version')) return [];
  return COMMANDS;
}

/** Builds the cosy program for `argv`. `context` supplies streams, environment and the abort signal. */
export function createProgram(context: CommandContext, argv: readonly string[] = []): Command {
  const program = new Command();
  program
    .name('cosy')
    .description('Text to speech from the terminal with Alibaba Cloud CosyVoice (DashScope).')
    .version(VERSION, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureHelp({ sortOptions: false })
    .addHelpText(
      'after',
      `
Examples:
  cosy say "How is the weather today?" -o weather.mp3
  cosy say --emulator "Hello from cosy" -o hello.wav
  cosy emulator --port 0 --json

Exit codes: 0 ok, 1 internal error, 2 usage/invalid input, 3 auth/config, 4 service refused,
5 network/timeout, 6 partial output, 130 interrupted. See docs/cli.md.`,
    );

  for (const entry of commandsFor(argv)) program.addCommand(entry.build(context));
  return program;
}

function buildSay(context: CommandContext): Command {
  const say = new Command('say')
    .description('speak text: argument, -f FILE or stdin → audio file or stdout')
    .argument('[text...]', 'the text to speak (omit to read -f FILE or stdin)')
    .option('-f, --file <file>', 'read the text from a file (- for stdin)')
    .option('--ssml', 'treat the input as SSML (default: when it starts with <speak)')
    .option('--no-ssml', 'treat the input as plain text even if it starts with <speak')
  addSynthesisOptions(say);
  addConnectionOptions(say);
  addOutputOptions(say);
  say.addHelpText(
    'after',
    `
Examples:
  cosy say "How is the weather today?" -o weather.mp3
  cosy say -f chapter1.txt -o chapter1.wav --voice longanhuan --rate 1.1
  echo "Pipe me" | cosy say --format opus > pipe.opus
  cosy say --emulator "Try it without a key" -o try.wav`,
  );
  say.action(async (words: string[], options: Record<string, unknown>) => {
    const { runSay } = await import('./commands/say.js');
    await runSay(words, options, context);
  });
  return say;
}

function buildStream(context: CommandContext): Command {
  const stream = new Command('stream')
    .description('speak text from stdin as it arrives (LLM output): audio starts before the input ends')
    .option('--flush-ms <ms>', 'send pending text after this much quiet on stdin', parseCount, 250)
    .option('--idle-timeout <seconds>', 'finish the current task after this long without input; new text starts a new task', parseSeconds, 20_000)
    .option('--skip-code', 'drop fenced code blocks (```) before sending')
    .option('--echo', 'mirror the text to stderr as it is sent');
  addSynthesisOptions(stream);
  addConnectionOptions(stream);
  addOutputOptions(stream);
  stream.addHelpText(
    'after',
    `
Examples:
  llm "tell me a story" | cosy stream --play
  ollama run qwen2.5 "Explain DNS briefly" | cosy stream --skip-code -o dns.mp3
  cosy stream --format pcm < notes.txt | aplay -t raw -f S16_LE -r 22050 -c 1

Ctrl-C once stops reading and lets the audio already requested finish (a file is completed); twice ends at once.`,
  );
  stream.action(async (options: Record<string, unknown>) => {
    const { runStream } = await import('./commands/stream.js');
    await runStream(options, context);
  });
  return stream;
}

function buildEmulator(context: CommandContext): Command {
  const emulator = new Command('emulator')
    .description('run a local emulator of the CosyVoice service (for offline work and CI)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', parsePort, 0)
    .option('--json', 'print {"websocket":…,"http":…} as one line on stdout')
    .option('--key <key>', 'accept only this API key (repeatable; default: any sk-… key)', collect)
    .option('--idle-timeout <seconds>', 'fail a task after this long without text (default 23)', parseSeconds)
    .option('--verbose', 'log connections and tasks on stderr')
    .option('--slow-first-packet <ms>', 'fault: delay each task\'s first audio frame', parseCount)
    .option('--frame-delay <ms>', 'fault: delay every audio frame', parseCount)
    .option('--fail-after-frames <n>', 'fault: task-failed after N audio frames', parseCount)
    .option('--drop-after-frames <n>', 'fault: drop the connection after N audio frames', parseCount)
    .option('--malformed-frame-after <n>', 'fault: send one malformed frame after N audio frames', parseCount)
    .option('--close-before-task-started', 'fault: close the connection instead of starting the task')
    .option('--max-tasks-per-second <n>', 'fault: throttle task starts beyond N per second', parseInteger)
    .addOption(new Option('--throttle-at <where>', 'how throttling shows').choices(['task', 'handshake']).default('task'))
    .option('--fault-times <n>', 'apply the task faults to the first N tasks only', parseCount)
    .addHelpText(
      'after',
      `
Examples:
  cosy emulator --port 8765
  cosy emulator --port 0 --json          # one JSON line with the URLs, for scripts
  cosy emulator --max-tasks-per-second 3 --fail-after-frames 2 --fault-times 1`,
    );
  emulator.action(async (options: Record<string, unknown>) => {
    const { runEmulatorFromCli } = await import('./commands/emulator-cli.js');
    await runEmulatorFromCli(options, context);
  });
  return emulator;
}
