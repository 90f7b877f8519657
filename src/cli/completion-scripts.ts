/**
 * Shell completion scripts generated from the commander tree: commands, subcommands, options, the choices of options
 * that have them, and file, folder or command-name completion where an option or argument takes one. Pure: the
 * tree goes in, the text of a script comes out.
 *
 * The scripts never evaluate what the user typed: the word under the cursor is only compared as a literal prefix
 * (or handed to compgen/_files/fish's own file completion), and every word the generator writes into a script is
 * checked to be a plain token, so it needs no quoting in any of the three shells.
 */
import { own } from '../own.js';
import type { Command, Option } from 'commander';
import { CONFIG_KEY_NAMES } from '../config-file.js';
import { MODEL_IDS } from '../protocol/models.js';
import { collect } from './parse-args.js';

/** What an option's value or a positional argument completes to. */
export type ValueKind = { kind: 'file' } | { kind: 'dir' } | { kind: 'command' } | { kind: 'text'; name: string } | { kind: 'choices'; choices: string[] };

/** An option as completion sees it. */
export interface CompletionOption {
  /** `-o`, `--output`: the short name first when there is one. */
  names: string[];
  description: string;
  /** Undefined for a flag; what the value completes to otherwise. */
  value: ValueKind | undefined;
  /** Whether it may be given more than once. */
  repeatable: boolean;
}

/** A positional argument. */
export interface CompletionArgument {
  name: string;
  value: ValueKind;
  variadic: boolean;
}

/** A command and everything below it. */
export interface CompletionCommand {
  /** Names from the root, e.g. `['voices', 'show']`; empty for the program itself. */
  path: string[];
  name: string;
  description: string;
  options: CompletionOption[];
  args: CompletionArgument[];
  subcommands: CompletionCommand[];
}

/** Words a script may contain unquoted: command names, option names, choices. */
const PLAIN_WORD = /^[A-Za-z0-9][A-Za-z0-9._+-]*$|^--?[A-Za-z0-9][A-Za-z0-9-]*$/;

function plain(word: string): string {
  if (!PLAIN_WORD.test(word)) throw new Error(`completion: ${JSON.stringify(word)} is not a plain word`);
  return word;
}

/**
 * Values offered for placeholders that take free text but usually one of a known list: the models cosy knows (a
 * newer one is still accepted, so they are not commander choices) and the names of settings.
 */
const SUGGESTIONS: Readonly<Record<string, readonly string[]>> = { model: MODEL_IDS, setting: CONFIG_KEY_NAMES };

/** What a value placeholder (`<file>`, `<dir>`, `<command>`, `<file...>`) stands for. */
function kindOfPlaceholder(name: string, choices: readonly string[] | undefined): ValueKind {
  if (choices !== undefined && choices.length > 0) return { kind: 'choices', choices: choices.map(plain) };
  const base = name.replace(/\.\.\.$/, '');
  const suggested = own(SUGGESTIONS, base);
  if (suggested !== undefined) return { kind: 'choices', choices: suggested.map(plain) };
  if (base === 'file' || base === 'manifest' || base === 'audio') return { kind: 'file' };
  if (base === 'dir') return { kind: 'dir' };
  if (base === 'command') return { kind: 'command' };
  return { kind: 'text', name: base.replace(/[^A-Za-z0-9-]/g, '-') };
}

function optionOf(option: Option): CompletionOption {
  const names = [option.short, option.long].filter((n): n is string => n !== undefined).map(plain);
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1];
  return {
    names,
    description: option.description,
    value: placeholder === undefined ? undefined : kindOfPlaceholder(placeholder, option.argChoices),
    repeatable: option.parseArg === collect,
  };
}

const HELP_OPTION: CompletionOption = { names: ['-h', '--help'], description: 'show help', value: undefined, repeatable: false };

/** The completion spec of `command` and its subcommands (hidden options are left out; -h/--help is added). */
export function completionSpec(command: Command, path: string[] = []): CompletionCommand {
  const options = command.options.filter((o) => !o.hidden).map(optionOf);
  return {
    path,
    name: plain(command.name()),
    description: command.description(),
    options: [...options, HELP_OPTION],
    args: command.registeredArguments.map((a) => ({ name: a.name(), value: kindOfPlaceholder(a.name(), a.argChoices), variadic: a.variadic })),
    subcommands: command.commands.map((sub) => completionSpec(sub, [...path, plain(sub.name())])),
  };
}

/** Every command of the tree, parents before children. */
export function allCommands(root: CompletionCommand): CompletionCommand[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}

/** The first line of a description, shortened for a completion menu. */
function shortDescription(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 90 ? `${line.slice(0, 89)}…` : line;
}

// ---------------------------------------------------------------------------------------------------------- bash

/** A value kind in the bash script's encoding: file, dir, command, text, or `c:a,b,c` for choices. */
function bashKind(value: ValueKind): string {
  return value.kind === 'choices' ? `c:${value.choices.join(',')}` : value.kind;
}

/** The bash script: `complete -F _cosy_complete cosy`. Works with bash 3.2 and later. */
export function bashScript(root: CompletionCommand, version: string): string {
  const program = root.name;
  const specCases: string[] = [];
  const valueCases: string[] = [];
  for (const cmd of allCommands(root)) {
    const key = cmd.path.join(' ');
    const args = cmd.args.map((a) => `${bashKind(a.value)}${a.variadic ? '*' : ''}`);
    specCases.push(
      `    '${key}')\n` +
        `      _cosy_subs='${cmd.subcommands.map((s) => s.name).join(' ')}'\n` +
        `      _cosy_opts='${cmd.options.flatMap((o) => o.names).join(' ')}'\n` +
        `      _cosy_args='${args.join(' ')}' ;;`,
    );
    const byKind = new Map<string, string[]>();
    for (const o of cmd.options) {
      if (o.value === undefined) continue;
      const kind = bashKind(o.value);
      byKind.set(kind, [...(byKind.get(kind) ?? []), ...o.names]);
    }
    if (byKind.size === 0) continue;
    const inner = [...byKind].map(([kind, names]) => `        ${names.join('|')}) REPLY='${kind}' ;;`).join('\n');
    valueCases.push(`    '${key}')\n      case $2 in\n${inner}\n      esac ;;`);
  }
  return `# bash completion for ${program} ${version}, generated by \`${program} completion bash\`.
# Install: ${program} completion bash > ~/.local/share/bash-completion/completions/${program}
#      or: echo 'source <(${program} completion bash)' >> ~/.bashrc
# The word being completed is only ever compared as a literal prefix or handed to compgen; it is never evaluated.

# _cosy_spec PATH: the subcommands, options and positional argument kinds of a command path ('' is ${program} itself).
_cosy_spec() {
  _cosy_subs= _cosy_opts= _cosy_args=
  case $1 in
${specCases.join('\n')}
  esac
}

# _cosy_value PATH OPTION: REPLY is what the option's value completes to (file, dir, command, text, c:CHOICES),
# or empty for a flag.
_cosy_value() {
  REPLY=
  case $1 in
${valueCases.join('\n')}
  esac
}

# _cosy_offer KIND WORD: adds the completions of WORD for KIND to COMPREPLY.
_cosy_offer() {
  local line w IFS
  case $1 in
    file)
      compopt -o filenames 2>/dev/null
      while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$2") ;;
    dir)
      compopt -o filenames 2>/dev/null
      while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -d -- "$2") ;;
    command)
      while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -c -- "$2") ;;
    c:*)
      IFS=,
      for w in \${1#c:}; do
        if [[ $w == "$2"* ]]; then COMPREPLY+=("$w"); fi
      done ;;
  esac
}

# _cosy_match WORD CANDIDATES...: adds the candidates that start with WORD.
_cosy_match() {
  local cur=$1 w
  shift
  for w in "$@"; do
    if [[ $w == "$cur"* ]]; then COMPREPLY+=("$w"); fi
  done
}

# _cosy_is_subcommand PATH WORD: whether WORD names a subcommand of PATH.
_cosy_is_subcommand() {
  local w
  _cosy_spec "$1"
  for w in $_cosy_subs; do
    if [[ $w == "$2" ]]; then return 0; fi
  done
  return 1
}

_cosy_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev= path= word kind i=1 npos=0 REPLY _cosy_subs _cosy_opts _cosy_args
  local -a args
  COMPREPLY=()
  # The command path: the subcommands named so far, skipping options and the values they take
  # ('--opt=value' arrives as three words when '=' is in COMP_WORDBREAKS).
  while ((i < COMP_CWORD)); do
    word=\${COMP_WORDS[i]}
    i=$((i + 1))
    case $word in
      -*=*) ;;
      -*)
        _cosy_value "$path" "$word"
        if [[ -n $REPLY ]]; then
          if [[ \${COMP_WORDS[i]} == = ]]; then i=$((i + 1)); fi
          i=$((i + 1))
        fi ;;
      *)
        if _cosy_is_subcommand "$path" "$word"; then
          path=\${path:+$path }$word
          npos=0
        else
          npos=$((npos + 1))
        fi ;;
    esac
  done
  prev=\${COMP_WORDS[COMP_CWORD-1]}
  if [[ $cur == = ]]; then
    cur=
  elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
    prev=\${COMP_WORDS[COMP_CWORD-2]}
  fi
  if ((COMP_CWORD >= 2)) && [[ $prev == -* ]]; then
    _cosy_value "$path" "$prev"
    if [[ -n $REPLY ]]; then
      _cosy_offer "$REPLY" "$cur"
      return 0
    fi
  fi
  _cosy_spec "$path"
  if [[ $cur == -* ]]; then
    _cosy_match "$cur" $_cosy_opts
  elif [[ -n $_cosy_subs ]]; then
    _cosy_match "$cur" $_cosy_subs
  else
    args=($_cosy_args)
    if ((npos < \${#args[@]})); then
      kind=\${args[npos]}
    elif ((\${#args[@]} > 0)); then
      kind=\${args[\${#args[@]} - 1]}
      [[ $kind == *'*' ]] || kind=
    fi
    _cosy_offer "\${kind%'*'}" "$cur"
  fi
  return 0
}

complete -F _cosy_complete ${program}
`;
}

// ----------------------------------------------------------------------------------------------------------- zsh

/** Text inside single quotes in zsh. */
function zshQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Text inside an _arguments description (`[…]`). */
function zshBracket(text: string): string {
  return shortDescription(text).replace(/[\\[\]]/g, (c) => `\\${c}`);
}

/** The _arguments action of a value kind. */
function zshAction(value: ValueKind): string {
  switch (value.kind) {
    case 'file':
      return '_files';
    case 'dir':
      return '_files -/';
    case 'command':
      return '_command_names -e';
    case 'choices':
      return `(${value.choices.join(' ')})`;
    case 'text':
      return ' ';
  }
}

/** The message shown for a value. */
function zshMessage(value: ValueKind, fallback: string): string {
  return value.kind === 'text' ? value.name : fallback.replace(/[^A-Za-z0-9-]/g, '-');
}

function zshFunctionName(cmd: CompletionCommand): string {
  return ['_cosy', ...cmd.path].join('__').replace(/[^A-Za-z0-9_]/g, '_');
}

function zshOptionSpecs(option: CompletionOption): string[] {
  const exclusion = option.repeatable ? '*' : option.names.length > 1 ? `(${option.names.join(' ')})` : '';
  return option.names.map((name) => {
    const long = name.startsWith('--');
    let spec = `${exclusion}${name}${option.value && long ? '=' : ''}[${zshBracket(option.description)}]`;
    if (option.value) spec += `:${zshMessage(option.value, name.replace(/^-+/, ''))}:${zshAction(option.value)}`;
    return zshQuote(spec);
  });
}

function zshFunction(cmd: CompletionCommand, program: string): string {
  const specs = cmd.options.flatMap(zshOptionSpecs);
  const fn = zshFunctionName(cmd);
  if (cmd.subcommands.length === 0) {
    cmd.args.forEach((arg, index) => {
      const position = arg.variadic ? '*' : String(index + 1);
      specs.push(zshQuote(`${position}:${zshMessage(arg.value, arg.name)}:${zshAction(arg.value)}`));
    });
    return `${fn}() {\n  _arguments -s -S \\\n    ${specs.join(' \\\n    ')}\n}\n`;
  }
  const described = cmd.subcommands.map((s) => zshQuote(`${s.name}:${shortDescription(s.description)}`));
  const dispatch = cmd.subcommands.map((s) => `        ${s.name}) ${zshFunctionName(s)} ;;`).join('\n');
  return `${fn}() {
  local curcontext=$curcontext state state_descr line ret=1
  typeset -A opt_args
  _arguments -C -s -S \\
    ${[...specs, zshQuote('1: :->command'), zshQuote('*:: :->argument')].join(' \\\n    ')} && ret=0
  case $state in
    command)
      local -a subcommands
      subcommands=(
        ${described.join('\n        ')}
      )
      _describe -t commands ${zshQuote(`${[program, ...cmd.path].join(' ')} command`)} subcommands && ret=0 ;;
    argument)
      curcontext=\${curcontext%:*:*}:${[program, ...cmd.path].join('-')}-$words[1]:
      case $words[1] in
${dispatch}
      esac ;;
  esac
  return ret
}
`;
}

/** The zsh script: a `#compdef` function file that also works when sourced. */
export function zshScript(rootCommand: CompletionCommand, version: string): string {
  const program = rootCommand.name;
  const functions = allCommands(rootCommand)
    .map((cmd) => zshFunction(cmd, program))
    .join('\n');
  return `#compdef ${program}
# zsh completion for ${program} ${version}, generated by \`${program} completion zsh\`.
# Install: ${program} completion zsh > "\${fpath[1]}/_${program}"   (then start a new shell; compinit must run in ~/.zshrc)
#      or: echo 'source <(${program} completion zsh)' >> ~/.zshrc   (after compinit)

${functions}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _cosy "$@"
else
  compdef _cosy ${program}
fi
`;
}

// ---------------------------------------------------------------------------------------------------------- fish

/** Text inside single quotes in fish. */
function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** The fish condition under which a command's options and subcommands are offered. */
function fishCondition(cmd: CompletionCommand): string {
  if (cmd.path.length === 0) return '__fish_use_subcommand';
  const parts = cmd.path.map((name) => `__fish_seen_subcommand_from ${name}`);
  if (cmd.subcommands.length > 0) parts.push(`not __fish_seen_subcommand_from ${cmd.subcommands.map((s) => s.name).join(' ')}`);
  return parts.join('; and ');
}

function fishValue(value: ValueKind): string {
  switch (value.kind) {
    case 'file':
      return '-r -F';
    case 'dir':
      return `-x -a ${fishQuote('(__fish_complete_directories)')}`;
    case 'command':
      return `-x -a ${fishQuote('(__fish_complete_command)')}`;
    case 'choices':
      return `-x -a ${fishQuote(value.choices.join(' '))}`;
    case 'text':
      return '-x';
  }
}

/** The fish script: `complete -c cosy …` lines. */
export function fishScript(rootCommand: CompletionCommand, version: string): string {
  const program = rootCommand.name;
  const lines = [
    `# fish completion for ${program} ${version}, generated by \`${program} completion fish\`.`,
    `# Install: ${program} completion fish > ~/.config/fish/completions/${program}.fish`,
    '',
    `complete -c ${program} -f`,
  ];
  for (const cmd of allCommands(rootCommand)) {
    const condition = `-n ${fishQuote(fishCondition(cmd))}`;
    for (const sub of cmd.subcommands) {
      lines.push(`complete -c ${program} ${condition} -a ${sub.name} -d ${fishQuote(shortDescription(sub.description))}`);
    }
    for (const option of cmd.options) {
      const names = option.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ');
      const value = option.value ? ` ${fishValue(option.value)}` : '';
      lines.push(`complete -c ${program} ${condition} ${names}${value} -d ${fishQuote(shortDescription(option.description))}`);
    }
    if (cmd.subcommands.length === 0) {
      const kinds = cmd.args.map((a) => a.value);
      const choices = kinds.flatMap((k) => (k.kind === 'choices' ? k.choices : []));
      if (choices.length > 0) lines.push(`complete -c ${program} ${condition} -a ${fishQuote(choices.join(' '))}`);
      if (kinds.some((k) => k.kind === 'file')) lines.push(`complete -c ${program} ${condition} -F`);
      if (kinds.some((k) => k.kind === 'dir')) lines.push(`complete -c ${program} ${condition} -a ${fishQuote('(__fish_complete_directories)')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The shells cosy writes completion scripts for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The completion script for `shell`. */
export function completionScript(shell: Shell, rootCommand: CompletionCommand, version: string): string {
  switch (shell) {
    case 'bash':
      return bashScript(rootCommand, version);
    case 'zsh':
      return zshScript(rootCommand, version);
    case 'fish':
      return fishScript(rootCommand, version);
  }
}
