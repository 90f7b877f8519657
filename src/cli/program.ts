/**
 * The commander tree: every command, option and example of cosy. No side effects; actions lazy-import their
 * command so start-up stays fast. Only this file knows flag names.
 */
import { Argument, Command, Option } from 'commander';
import { AUDIO_FORMATS, CLIENT_IDLE_BUDGET_MS, LANGUAGE_HINTS, STREAM_FLUSH_MS } from '../protocol/limits.js';
import { DEFAULT_MODEL } from '../protocol/models.js';
import { VERSION } from '../version.js';
import { DEFAULT_BATCH_RETRIES, DEFAULT_JOBS, DEFAULT_NAME_TEMPLATE, DEFAULT_RPS, LEDGER_FILE } from '../batch/defaults.js';
import type { CommandContext } from './context.js';
import { collect, parseCount, parseInteger, parseNumber, parsePort, parseRatio, parseSeconds } from './parse-args.js';

/** Adds the connection options shared by every command that talks to the service. */
function addConnectionOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--region <region>', 'service region: cn (Beijing) or intl (Singapore)').choices(['cn', 'intl']))
    .option('--endpoint <url>', 'WebSocket endpoint (default from the region; env DASHSCOPE_WEBSOCKET_BASE_URL)')
    .option('--http-endpoint <url>', 'HTTP API base URL (default from the region; env DASHSCOPE_HTTP_BASE_URL)')
    .option('--workspace <id>', 'Model Studio workspace id (env DASHSCOPE_WORKSPACE_ID)')
    .option('--api-key <key>', 'API key (prefer DASHSCOPE_API_KEY or a .env file: flags are visible to other users)')
    .option('--emulator', 'run against a built-in emulator of the service started in-process (no key, no network)')
    .option('--profile <name>', 'use this profile of the configuration files (env COSY_PROFILE; see `cosy config`)')
    .option('--proxy <url>', 'HTTP proxy for the service, http://[user:pass@]host:port (default from HTTPS_PROXY, honouring NO_PROXY)');
}

/** Adds the output and synthesis-parameter options shared by say and stream. */
function addSynthesisOptions(cmd: Command): Command {
  return cmd
    .option('-o, --output <file>', 'write audio to this file (format from the extension); - for stdout')
    .addOption(new Option('--format <format>', 'audio format (default from -o, else mp3)').choices([...AUDIO_FORMATS]))
    .option('-m, --model <model>', `synthesis model (default ${DEFAULT_MODEL}, or the model setting of cosy config)`)
    .option('-v, --voice <voice>', 'voice id (default: longanyang for v3 models; see `cosy voices`)')
    .option('--sample-rate <hz>', 'sample rate in Hz (8000, 16000, 22050, 24000, 44100, 48000; opus: 8000-48000)', parseInteger)
    .option('--volume <0-100>', 'volume, 0 to 100 (service default 50)', parseNumber)
    .option('--rate <rate>', 'speaking rate, 0.5 to 2.0 (default 1.0), or a change: -10%, +25%', parseRatio)
    .option('--pitch <pitch>', 'pitch, 0.5 to 2.0 (default 1.0), or a change: -10%, +25%', parseRatio)
    .option('--bit-rate <kbps>', 'opus bit rate, 6 to 510 kbps (default 32)', parseNumber)
    .option('--seed <n>', 'random seed, 0 to 65535: same seed and input give the same audio', parseNumber)
    .addOption(new Option('--language <code>', 'language hint for text normalisation').choices([...LANGUAGE_HINTS]))
    .option('--instruction <text>', 'style instruction (Instruct-capable voices; see `cosy voices --instruct`)')
    .option('--markdown-filter', 'let the service strip Markdown symbols (v3-flash)')
    .option('--pronounce <file>', 'JSON file of pronunciation/replace rules (hot_fix, v3-flash)')
    .option('--aigc-tag', 'embed the invisible AIGC mark in the audio (v3 models)')
    .option('--aigc-propagator <id>', 'AIGC propagator (with --aigc-tag)')
    .option('--aigc-propagate-id <id>', 'AIGC propagate id (with --aigc-tag)')
    .option('--subtitles <file>', 'write subtitles with word timing: .srt, .vtt, .lrc or .json')
    .addOption(new Option('--subtitles-fallback <mode>', 'voices without word timestamps: one cue per sentence, timed from the audio').choices(['sentence']))
    .option('--max-cue-chars <n>', 'longest subtitle cue (default 42 Latin / 20 CJK characters)', parseInteger)
    .option('--words-per-cue <n>', 'karaoke-style cues of N words', parseInteger)
    .option('--karaoke', 'per-word timing tags inside cues (.vtt, .lrc)')
    .option('--play', 'play the audio as it arrives (ffplay, mpv, paplay or aplay); with -o FILE, keep it too')
    .option('--player <command>', 'play through this command, which reads audio on stdin ({file} in it: plays a file; no shell)')
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
  { name: 'batch', build: buildBatch },
  { name: 'voices', build: buildVoices },
  { name: 'clone', build: buildClone },
  { name: 'design', build: buildDesign },
  { name: 'lint', build: buildLint },
  { name: 'emulator', build: buildEmulator },
  { name: 'config', build: buildConfig },
  { name: 'doctor', build: buildDoctor },
  { name: 'completion', build: buildCompletion },
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
  sameHelpOption(program);
  return program;
}

function buildSay(context: CommandContext): Command {
  const say = new Command('say')
    .description('speak text: argument, -f FILE or stdin → audio file or stdout')
    .argument('[text...]', 'the text to speak (omit to read -f FILE or stdin)')
    .option('-t, --text <text>', 'the text to speak, as an option (instead of the argument)')
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
    .option('--flush-ms <ms>', 'send pending text after this many milliseconds of quiet on stdin', parseCount, STREAM_FLUSH_MS)
    .addOption(
      new Option('--idle-timeout <seconds>', 'finish the current task after this long without input; new text starts a new task')
        .argParser(parseSeconds)
        .default(CLIENT_IDLE_BUDGET_MS, String(CLIENT_IDLE_BUDGET_MS / 1000)),
    )
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
    .option('--throttle-first <n>', 'fault: throttle the first N task starts, whatever the rate', parseCount)
    .addOption(new Option('--throttle-at <where>', 'how throttling shows').choices(['task', 'handshake']).default('task'))
    .option('--fault-times <n>', 'apply the task faults to the first N tasks only', parseCount)
    .option('--voice-ready <ms>', 'custom voices stay DEPLOYING this long before they are OK (default 500)', parseCount)
    .option('--reject-audio <text>', 'cloning audio whose URL or bytes contain this text ends UNDEPLOYED (default cosy-reject-audio)')
    .addHelpText(
      'after',
      `
Examples:
  cosy emulator --port 8765
  cosy emulator --port 0 --json          # one JSON line with the URLs, for scripts
  cosy emulator --max-tasks-per-second 3 --fail-after-frames 2 --fault-times 1
  cosy emulator --voice-ready 3000 --reject-audio bad-take   # slower cloning; clones of *bad-take* fail`,
    );
  emulator.action(async (options: Record<string, unknown>) => {
    const { runEmulatorFromCli } = await import('./commands/emulator-cli.js');
    await runEmulatorFromCli(options, context);
  });
  return emulator;
}

/** Adds the options of commands that wait for a custom voice to be ready. */
function addWaitOptions(cmd: Command): Command {
  return cmd
    .option('--no-wait', 'return at once instead of waiting until the voice is ready')
    .option('--timeout <seconds>', 'give up waiting after this long (default 300)', parseSeconds);
}

/** Appends an "Examples:" section to a command's help (nested subcommands; top-level ones write theirs inline). */
function addExamples(cmd: Command, examples: readonly string[]): void {
  if (examples.length > 0) cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
}

/** Gives nested subcommands the settings run.ts applies to top-level ones (output streams, exit override). */
function inheritSettings(parent: Command): void {
  parent.hook('preSubcommand', (thisCommand, sub) => {
    sub.copyInheritedSettings(thisCommand);
  });
}

function buildVoices(context: CommandContext): Command {
  const voices = new Command('voices')
    .description('list the system voices (with filters) or your custom voices (--custom); show, delete or update voices')
    .option('-m, --model <model>', 'only voices of this model (with --custom: of this target model)')
    .option('--language <code>', 'only voices speaking this language (zh also matches zh-Sichuan, yue is Cantonese)')
    .option('--ssml', 'only voices with SSML support')
    .option('--instruct', 'only Instruct-capable voices (their instruction forms are listed)')
    .option('--timestamps', 'only voices with word timestamps')
    .option('--search <text>', 'only voices whose id, name, scenario or traits contain this text')
    .option('--custom', "list the account's custom voices (cloned and designed) instead of the system voices")
    .option('--prefix <prefix>', 'with --custom: only voices created with this prefix')
    .option('--ids', 'print only voice ids, one per line')
    .enablePositionalOptions();
  addConnectionOptions(voices);
  addOutputOptions(voices);
  voices.addHelpText(
    'after',
    `
A table on a terminal, tab-separated columns in a pipe, one JSON document with --json.

Examples:
  cosy voices --model cosyvoice-v3-flash --language en
  cosy voices --instruct                     # voices that take --instruction, with their forms
  cosy voices --search news --ids
  cosy voices --custom --prefix narrator1
  cosy voices show longanyang
  cosy voices rm cosyvoice-v3.5-plus-narrator1-0123abcd --yes`,
  );
  voices.action(async (options: Record<string, unknown>) => {
    const { runVoices } = await import('./commands/voices.js');
    await runVoices(options, context);
  });
  inheritSettings(voices);

  const show = new Command('show')
    .description('show a voice: a system voice from the catalogue, or a custom voice (status, target model, source)')
    .argument('<voice-id>', 'the voice id');
  addConnectionOptions(show);
  addOutputOptions(show);
  addExamples(show, ['cosy voices show longanyang', 'cosy voices show cosyvoice-v3.5-plus-narrator1-0123abcd --json']);
  show.action(async (id: string, options: Record<string, unknown>) => {
    const [{ runVoicesShow }, { withParentOptions }] = await Promise.all([import('./commands/voices.js'), import('./option-values.js')]);
    await runVoicesShow(id, withParentOptions(options, voices.opts()), context);
  });

  const rm = new Command('rm')
    .description('delete custom voices (asks first on a terminal; --yes in scripts)')
    .argument('<voice-id...>', 'the voice ids')
    .option('-y, --yes', 'delete without asking');
  addConnectionOptions(rm);
  addOutputOptions(rm);
  addExamples(rm, ['cosy voices rm cosyvoice-v3.5-plus-narrator1-0123abcd', 'cosy voices --custom --prefix old --ids | xargs cosy voices rm --yes']);
  rm.action(async (ids: string[], options: Record<string, unknown>) => {
    const [{ runVoicesRm }, { withParentOptions }] = await Promise.all([import('./commands/voices.js'), import('./option-values.js')]);
    await runVoicesRm(ids, withParentOptions(options, voices.opts()), context);
  });

  const update = new Command('update')
    .description('re-clone a cloned voice from new audio (a local file is checked and uploaded)')
    .argument('<voice-id>', 'the cloned voice')
    .argument('<audio>', 'an https:// URL or a local WAV/MP3/M4A file');
  addWaitOptions(update);
  addConnectionOptions(update);
  addOutputOptions(update);
  addExamples(update, ['cosy voices update cosyvoice-v3.5-plus-narrator1-0123abcd new-take.wav', 'cosy voices update cosyvoice-v3.5-plus-narrator1-0123abcd https://example.com/take2.mp3 --no-wait']);
  update.action(async (id: string, audio: string, options: Record<string, unknown>) => {
    const [{ runVoicesUpdate }, { withParentOptions }] = await Promise.all([import('./commands/voices.js'), import('./option-values.js')]);
    await runVoicesUpdate(id, audio, withParentOptions(options, voices.opts()), context);
  });

  voices.addCommand(show).addCommand(rm).addCommand(update);
  return voices;
}

function buildClone(context: CommandContext): Command {
  const clone = new Command('clone')
    .description('clone a voice from 10-20 s of speech: a local WAV/MP3/M4A file (checked, then uploaded) or an https:// URL')
    .argument('<audio>', 'a local audio file or an https:// URL')
    .option('--prefix <prefix>', 'name part of the voice id: lowercase letters and digits, 1-9 characters (default cosy)')
    .option('-m, --model <model>', 'the model the voice is for; it works only with this model (default cosyvoice-v3.5-plus)')
    .addOption(new Option('--language <code>', 'language of the sample').choices([...LANGUAGE_HINTS]));
  addWaitOptions(clone);
  addConnectionOptions(clone);
  addOutputOptions(clone);
  clone.addHelpText(
    'after',
    `
Prints the new voice id on stdout (the full record with --json) once the voice is ready.

Examples:
  cosy clone sample.wav --prefix narrator1
  cosy clone https://example.com/sample.mp3 --model cosyvoice-v3-flash --language en --no-wait
  cosy say --model cosyvoice-v3.5-plus --voice "$(cosy clone sample.wav)" "Hello in my own voice"`,
  );
  clone.action(async (audio: string, options: Record<string, unknown>) => {
    const { runClone } = await import('./commands/clone.js');
    await runClone(audio, options, context);
  });
  return clone;
}

function buildDesign(context: CommandContext): Command {
  const design = new Command('design')
    .description('design a voice from a description (Chinese or English, at most 500 characters) and save its preview')
    .argument('<description...>', 'what the voice should sound like')
    .option('--preview-text <text>', 'what the preview says (at most 200 characters; default: a greeting in the description\'s language)')
    .option('--prefix <prefix>', 'name part of the voice id: lowercase letters and digits, 1-9 characters (default cosy)')
    .option('-m, --model <model>', 'the model the voice is for; it works only with this model (default cosyvoice-v3.5-plus)')
    .addOption(new Option('--language <code>', 'language of the preview text').choices(['zh', 'en']))
    .option('-o, --output <file>', 'save the preview here (default: <voice id>.wav)')
    .addOption(new Option('--format <format>', 'preview format (default from -o, else wav)').choices([...AUDIO_FORMATS]))
    .option('--sample-rate <hz>', 'preview sample rate in Hz (default 24000)', parseInteger)
    .option('--play', 'play the preview (ffplay, mpv, paplay or aplay)')
    .option('--player <command>', 'play through this command, which reads audio on stdin ({file} in it: plays a file; no shell)');
  addWaitOptions(design);
  addConnectionOptions(design);
  addOutputOptions(design);
  design.addHelpText(
    'after',
    `
Examples:
  cosy design "Calm middle-aged male news anchor, low warm timbre, steady pace." --prefix anchor
  cosy design "温柔的年轻女声，语速适中" -o preview.mp3 --play
  cosy design "A cheerful young storyteller" --preview-text "Once upon a time..." --json`,
  );
  design.action(async (words: string[], options: Record<string, unknown>) => {
    const { runDesign } = await import('./commands/design.js');
    await runDesign(words, options, context);
  });
  return design;
}

function buildLint(context: CommandContext): Command {
  const lint = new Command('lint')
    .description('check SSML and text files offline (no key, no network): every problem with its line, column and rule')
    .argument('<file...>', 'files to check (- for stdin); a file starting with <speak is SSML, anything else plain text')
    .option('-m, --model <model>', 'check that this model supports SSML (default: no model check)')
    .option('-v, --voice <voice>', 'check that this voice supports SSML (with --model)')
    .option('--sample-rate <hz>', 'output sample rate, the bound of lpfilter/hpfilter frequencies (default: unknown)', parseInteger)
    .option('--ssml', 'check every file as SSML')
    .option('--no-ssml', 'check every file as plain text')
    .option('--strict', 'fail (exit 2) on warnings too, not only on errors')
    .option('--verbose', 'also show notes: attributes that override request parameters, audio file requirements')
    .option('-q, --quiet', 'print only errors (and warnings with --strict), no summary lines')
    .option('--json', 'print one JSON document with every file and finding on stdout')
    .option('--no-color', 'no colours on stderr (also NO_COLOR)');
  lint.addHelpText(
    'after',
    `
Findings are printed as FILE:LINE:COLUMN: SEVERITY: MESSAGE [RULE] with the source line and a caret.
Exit 0 when no file has errors (warnings allowed unless --strict), 2 otherwise. Rules: docs/ssml.md.

Examples:
  cosy lint chapter1.ssml chapter2.ssml
  cosy lint --model cosyvoice-v2 --voice longxiaochun_v2 --sample-rate 16000 speech.xml
  cat speech.ssml | cosy lint -
  cosy lint --json --strict ssml/*.xml > lint.json`,
  );
  lint.action(async (files: string[], options: Record<string, unknown>) => {
    const { runLint } = await import('./commands/lint.js');
    await runLint(files, options, context);
  });
  return lint;
}

function buildBatch(context: CommandContext): Command {
  const batch = new Command('batch')
    .description('many texts to many files: a JSONL, CSV or plain-text manifest → one audio file per item, resumable')
    .argument('<manifest>', 'manifest file (.jsonl, .csv, or text with one item per line); - for stdin')
    .option('-d, --out-dir <dir>', 'folder for the audio files and the ledger (created if missing)')
    .option('--name <template>', 'output name: {n} {id} {voice} {hash} {ext}; an item\'s "out" field wins', DEFAULT_NAME_TEMPLATE)
    .addOption(new Option('--manifest-format <format>', 'manifest format (default from the extension, else sniffed)').choices(['jsonl', 'csv', 'text']))
    .option('-j, --jobs <n>', 'tasks in flight at once, each worker on its own reused connection', parseInteger, DEFAULT_JOBS)
    .option('--rps <n>', 'task starts per second, shared by all workers (the service allows 3 by default)', parseNumber, DEFAULT_RPS)
    .option('--retries <n>', 'retries of a task after throttling, server or network errors (backoff with jitter)', parseCount, DEFAULT_BATCH_RETRIES)
    .option('--timeout <seconds>', 'give up on a task when the service sends nothing for this long', parseSeconds)
    .option('--fail-fast', 'stop starting items after the first failure')
    .option('--retry-failed', 'also redo items that failed for good in an earlier run')
    .option('--force', 'redo every item, even those done earlier')
    .option('--no-cache', 'synthesise identical requests separately instead of copying the audio')
    .option('--estimate', 'print the characters and the cost, then stop (no connection, no key needed)')
    .option('--max-cost <usd>', 'refuse to start when the estimated cost is above this many US dollars')
    .option('--shard <i/n>', 'process only shard I of N (1-based) of the manifest, for CI matrices and GNU parallel')
    .addOption(new Option('--progress <mode>', 'progress: a bar on a terminal (auto), NDJSON events on stdout (json), or none').choices(['auto', 'json', 'none']).default('auto'))
    .option('-m, --model <model>', `default model of the items (default ${DEFAULT_MODEL}, or the model setting of cosy config)`)
    .option('-v, --voice <voice>', 'default voice (else the model\'s default: longanyang for v3 models)')
    .addOption(new Option('--format <format>', 'default audio format (else from an item\'s "out", else mp3)').choices([...AUDIO_FORMATS]))
    .option('--sample-rate <hz>', 'default sample rate in Hz', parseInteger)
    .option('--volume <0-100>', 'default volume', parseNumber)
    .option('--rate <rate>', 'default speaking rate (0.5 to 2.0, or a change: -10%)', parseRatio)
    .option('--pitch <pitch>', 'default pitch (0.5 to 2.0, or a change: -10%)', parseRatio)
    .option('--bit-rate <kbps>', 'default opus bit rate', parseNumber)
    .option('--seed <n>', 'default random seed, 0 to 65535', parseNumber)
    .addOption(new Option('--language <code>', 'default language hint').choices([...LANGUAGE_HINTS]))
    .option('--instruction <text>', 'default style instruction')
    .option('--markdown-filter', 'let the service strip Markdown symbols (v3-flash)')
    .option('--pronounce <file>', 'default JSON file of pronunciation/replace rules (hot_fix, v3-flash)')
    .option('--aigc-tag', 'embed the invisible AIGC mark in the audio (v3 models)')
    .option('--aigc-propagator <id>', 'AIGC propagator (with --aigc-tag)')
    .option('--aigc-propagate-id <id>', 'AIGC propagate id (with --aigc-tag)')
    .addOption(new Option('--subtitles <format>', 'write a subtitle sidecar next to each output (an item\'s "subtitles" field wins)').choices(['srt', 'vtt', 'lrc', 'json']))
    .addOption(new Option('--subtitles-fallback <mode>', 'voices without word timestamps: one cue per sentence, timed from the audio').choices(['sentence']))
    .option('--max-cue-chars <n>', 'longest subtitle cue (default 42 Latin / 20 CJK characters)', parseInteger)
    .option('--words-per-cue <n>', 'karaoke-style cues of N words', parseInteger)
    .option('--karaoke', 'per-word timing tags inside cues (vtt, lrc)');
  addConnectionOptions(batch);
  addOutputOptions(batch);
  batch.addHelpText(
    'after',
    `
Manifest items: "text" | "file" (relative to the manifest) | "ssml", and optionally "id", "out", "voice",
"model", "format", "sample_rate", "volume", "rate", "pitch", "bit_rate", "seed", "language", "instruction",
"markdown_filter", "pronounce", "aigc_tag", "aigc_propagator", "aigc_propagate_id" (CSV: the same names as columns).

Examples:
  cosy batch lines.txt -d out/                       # one item per line: out/1.mp3, out/2.mp3, …
  cosy batch prompts.jsonl -d audio/ --name "{id}.{ext}" --voice longanhuan -j 4
  cosy batch course.csv -d out/ --estimate           # characters and cost, nothing sent
  cosy batch course.csv -d out/ --max-cost 5         # refuse to start above $5
  cosy batch big.jsonl -d out/ --shard 2/4           # the second of four CI runners
  cosy batch --emulator lines.txt -d out/            # try it without a key

A rerun with the same manifest and -d resumes: done items are skipped (${LEDGER_FILE} in -d records them).
Ctrl-C once lets the items in flight finish; twice aborts them.
Exit codes: 0 every item done, 2 bad manifest or options (nothing sent), 3 credentials, 6 some items failed
or were not started, 130 interrupted. See docs/batch.md.`,
  );
  batch.action(async (manifest: string, options: Record<string, unknown>) => {
    const { runBatchCommand } = await import('./commands/batch.js');
    await runBatchCommand(manifest, options, context);
  });
  return batch;
}

function buildConfig(context: CommandContext): Command {
  const config = new Command('config').description('show or change settings (user file, or a project .cosy.json) and store the API key');
  const common = (cmd: Command): Command =>
    cmd
      .option('--project', 'change the project file (.cosy.json here or in a parent) instead of the user file')
      .option('--profile <name>', 'the profile to read or change')
      .option('--json', 'print JSON on stdout')
      .option('-q, --quiet', 'print nothing but errors on stderr')
      .option('--no-color', 'no colours on stderr');
  const load = () => import('./commands/config.js');
  common(config.command('list').description('every setting that is set, and where it comes from')).action(async (o: Record<string, unknown>) => {
    await (await load()).runConfigList(o, context);
  });
  common(config.command('get').description('print one setting').argument('<setting>')).action(async (key: string, o: Record<string, unknown>) => {
    await (await load()).runConfigGet(key, o, context);
  });
  common(config.command('set').description('change a setting').argument('<setting>').argument('<value>')).action(
    async (key: string, value: string, o: Record<string, unknown>) => {
      await (await load()).runConfigSet(key, value, o, context);
    },
  );
  common(config.command('unset').description('remove a setting').argument('<setting>')).action(async (key: string, o: Record<string, unknown>) => {
    await (await load()).runConfigUnset(key, o, context);
  });
  common(config.command('path').description('the files cosy reads')).action(async (o: Record<string, unknown>) => {
    await (await load()).runConfigPath(o, context);
  });
  common(config.command('set-key').description('store the API key (read from stdin, never the command line) in a 0600 key file')).action(
    async (o: Record<string, unknown>) => {
      await (await load()).runConfigSetKey(o, context);
    },
  );
  config.addHelpText(
    'after',
    `
Settings: region, endpoint, http-endpoint, workspace, model, voice, format, sample-rate, api-key-file.
Precedence: command-line flag > environment > project .cosy.json > user file > built-in default.

Examples:
  cosy config set region intl
  cosy config set --profile sg region intl        # then: cosy say --profile sg …  (or COSY_PROFILE=sg)
  cosy config set --project voice longanhuan       # for everyone working in this folder
  printf %s "$KEY" | cosy config set-key
  cosy config list`,
  );
  const configExamples: Record<string, string[]> = {
    list: ['cosy config list', 'cosy config list --profile sg --json'],
    get: ['cosy config get region', 'cosy config get --profile sg endpoint'],
    set: ['cosy config set region intl', 'cosy config set --project voice longanhuan'],
    unset: ['cosy config unset voice', 'cosy config unset --profile sg region'],
    path: ['cosy config path', 'cosy config path --json'],
    'set-key': ['printf %s "$KEY" | cosy config set-key', 'cosy config set-key < ~/Downloads/api_key.txt'],
  };
  for (const sub of config.commands) addExamples(sub, configExamples[sub.name()] ?? []);
  inheritSettings(config);
  return config;
}

function buildDoctor(context: CommandContext): Command {
  const doctor = new Command('doctor')
    .description('check the set-up (key, region, network, workspace, clock, players) and print what to fix')
    .option('--timeout <seconds>', 'time each network check may take (default 5)', parseSeconds);
  addConnectionOptions(doctor);
  doctor
    .option('--json', 'print one JSON document with every check on stdout')
    .option('-q, --quiet', 'print only the checks that warn or fail')
    .option('--verbose', 'report details on stderr')
    .option('--no-color', 'no colours (also NO_COLOR)');
  doctor.addHelpText(
    'after',
    `
Checks: node, config (files found, parsed), api-key (where from, masked), key-format, key-file (0600),
endpoint (region in effect), websocket (a handshake only: no task, nothing billed), workspace,
http-api (list_voice of one entry: free, read-only), clock (skew against the service), players.
One line per check: ✓ ! ✗ - on a terminal, ok warn fail skip otherwise; a fix line under problems.

Exit codes: 0 nothing failed (warnings allowed), 2 set-up (Node, configuration, endpoints),
3 key or authentication, 5 network or timeout; when several fail, the lowest code wins.

Examples:
  cosy doctor
  cosy doctor --region intl
  cosy doctor --emulator                  # fully offline, against the built-in emulator
  cosy doctor --json | jq '.checks[] | select(.status != "ok")'`,
  );
  doctor.action(async (options: Record<string, unknown>) => {
    const { runDoctor } = await import('./commands/doctor.js');
    await runDoctor(options, context);
  });
  return doctor;
}

function buildCompletion(context: CommandContext): Command {
  const completion = new Command('completion')
    .description('print a shell completion script (bash, zsh or fish) for every command and option')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']));
  completion.addHelpText(
    'after',
    `
Install (then open a new shell):
  bash  cosy completion bash > ~/.local/share/bash-completion/completions/cosy
        or add to ~/.bashrc:  source <(cosy completion bash)
  zsh   cosy completion zsh > "\${fpath[1]}/_cosy"   (compinit must run in ~/.zshrc)
        or add to ~/.zshrc after compinit:  source <(cosy completion zsh)
  fish  cosy completion fish > ~/.config/fish/completions/cosy.fish

Examples:
  cosy completion bash > ~/.local/share/bash-completion/completions/cosy
  source <(cosy completion zsh)`,
  );
  completion.action(async (shell: 'bash' | 'zsh' | 'fish') => {
    const { runCompletion } = await import('./commands/completion.js');
    await runCompletion(shell, context);
  });
  return completion;
}

/** Gives every command and subcommand the same -h/--help wording as the top level. */
function sameHelpOption(cmd: Command): void {
  for (const sub of cmd.commands) {
    sub.helpOption('-h, --help', 'show help');
    sameHelpOption(sub);
  }
}
