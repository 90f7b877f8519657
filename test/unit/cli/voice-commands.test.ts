/**
 * The pure parts of the voice commands: option parsing, confirmation rules, design texts and preview format, and the
 * system voice filter.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkedTargetModel } from '../../../src/cli/commands/clone.js';
import { designTexts, previewFormat, DEFAULT_PREVIEW_TEXTS } from '../../../src/cli/commands/design.js';
import { systemFilter } from '../../../src/cli/commands/voices.js';
import { canPrompt, confirm, isYes } from '../../../src/cli/confirm.js';
import type { CommandContext } from '../../../src/cli/context.js';
import { checkedPrefix, isAudioUrl } from '../../../src/cli/enrollment-session.js';
import { connectionFlags, optionValues, withParentOptions } from '../../../src/cli/option-values.js';
import { UsageError } from '../../../src/errors.js';

function context(tty: { stdin?: boolean; stderr?: boolean } = {}): CommandContext {
  const stdin = Object.assign(new PassThrough(), { isTTY: tty.stdin });
  const stderr = Object.assign(new PassThrough(), { isTTY: tty.stderr });
  return { stdin, stdout: new PassThrough(), stderr, env: {}, cwd: '/', signal: new AbortController().signal };
}

describe('option values', () => {
  it('reads typed values and ignores the wrong types', () => {
    const o = optionValues({ a: 'x', b: true, c: 3, d: false, e: 5 });
    expect([o.string('a'), o.string('c'), o.flag('b'), o.flag('a'), o.number('c'), o.number('a'), o.negated('d'), o.negated('b')]).toEqual([
      'x',
      undefined,
      true,
      false,
      3,
      undefined,
      true,
      false,
    ]);
  });

  it('collects connection flags', () => {
    expect(connectionFlags({ region: 'intl', emulator: true, httpEndpoint: 'http://127.0.0.1:1/api/v1', color: true, profile: 'sg' })).toEqual({
      region: 'intl',
      emulator: true,
      httpEndpoint: 'http://127.0.0.1:1/api/v1',
      profile: 'sg',
    });
  });

  it("fills a subcommand's missing options from its parent; --no-color on either wins", () => {
    expect(withParentOptions({ json: true, color: true }, { emulator: true, json: false, color: false })).toEqual({ json: true, emulator: true, color: false });
  });
});

describe('confirmation', () => {
  it.each([
    ['y', true],
    ['YES', true],
    [' yes ', true],
    ['', false],
    ['no', false],
    ['yep', false],
  ])('%j means %s', (answer, yes) => {
    expect(isYes(answer)).toBe(yes);
  });

  it('asks only when stdin and stderr are terminals', async () => {
    expect(canPrompt(context({ stdin: true, stderr: true }))).toBe(true);
    expect(canPrompt(context({ stdin: true }))).toBe(false);
    const err = (await confirm('Delete x?', '--yes', context({ stderr: true })).catch((e: unknown) => e)) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.hint).toContain('pass --yes');
  });

  it('reads the answer from stdin and shows the question on stderr', async () => {
    const c = context({ stdin: true, stderr: true });
    let shown = '';
    c.stderr.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    const answer = confirm('Delete x?', '--yes', c);
    (c.stdin as PassThrough).write('y\n');
    expect(await answer).toBe(true);
    expect(shown).toContain('Delete x? [y/N] ');
  });
});

describe('voice command checks', () => {
  it('checks prefixes with a hint', () => {
    expect(checkedPrefix('narrator1')).toBe('narrator1');
    expect(() => checkedPrefix('Narrator')).toThrow('--prefix "Narrator": the prefix has uppercase letters');
    expect(() => checkedPrefix('waytoolongprefix')).toThrow(/16 characters long; at most 9/);
  });

  it('tells URLs from files', () => {
    expect(['https://e/a.wav', 'HTTP://e/a.wav', 'oss://dir/a.wav'].map(isAudioUrl)).toEqual([true, true, true]);
    expect(['a.wav', './https.wav', '/tmp/x.mp3'].map(isAudioUrl)).toEqual([false, false, false]);
  });

  it('checks target models per kind', () => {
    expect(checkedTargetModel('cosyvoice-v2', 'clone').id).toBe('cosyvoice-v2');
    expect(() => checkedTargetModel('cosyvoice-v2', 'design')).toThrow(
      '--model cosyvoice-v2 cannot be the target of voice design; choose one of cosyvoice-v3.5-plus, cosyvoice-v3.5-flash, cosyvoice-v3-plus, cosyvoice-v3-flash',
    );
  });

  it('builds the system voice filter and refuses unknown models', () => {
    expect(systemFilter({ model: 'cosyvoice-v2', language: ' en ', ssml: true, search: 'news', region: 'intl' })).toEqual({
      model: 'cosyvoice-v2',
      language: 'en',
      ssml: true,
      search: 'news',
      region: 'intl',
    });
    expect(() => systemFilter({ model: 'cosyvoice-v9' })).toThrow(/not a model cosy knows/);
  });
});

describe('design', () => {
  it.each([
    [undefined, undefined, 'wav'],
    ['p.mp3', undefined, 'mp3'],
    ['p.ogg', undefined, 'opus'],
    [undefined, 'pcm', 'pcm'],
    ['p.bin', 'mp3', 'mp3'],
  ])('-o %s --format %s → %s', (output, format, expected) => {
    expect(previewFormat(output, format)).toBe(expected);
  });

  it.each([
    ['p.mp3', 'wav', /says mp3 but --format says wav/],
    ['p.bin', undefined, /cannot tell the audio format/],
    ['-', undefined, /stdout carries the voice id/],
    [undefined, 'flac', /not one of/],
  ])('refuses -o %s --format %s', (output, format, message) => {
    expect(() => previewFormat(output, format)).toThrow(message);
  });

  it('picks the preview text and language from the description', () => {
    expect(designTexts('  Calm news anchor  ', undefined, undefined)).toEqual({ description: 'Calm news anchor', previewText: DEFAULT_PREVIEW_TEXTS.en, language: 'en' });
    expect(designTexts('温柔的女声', undefined, undefined)).toMatchObject({ previewText: DEFAULT_PREVIEW_TEXTS.zh, language: 'zh' });
    expect(designTexts('A warm voice', '你好', undefined)).toMatchObject({ language: 'zh' });
    expect(designTexts('温柔的女声', undefined, 'en')).toMatchObject({ previewText: DEFAULT_PREVIEW_TEXTS.en, language: 'en' });
  });

  it.each([
    ['', undefined, undefined, /description is empty/],
    ['a'.repeat(501), undefined, undefined, /501 characters long; the limit is 500/],
    ['やさしい声', undefined, undefined, /Chinese or English/],
    ['ok', 'b'.repeat(201), undefined, /--preview-text is 201 characters long; the limit is 200/],
    ['ok', 'Привет', undefined, /--preview-text must be in Chinese or English/],
    ['ok', '你好', 'en', /--language en does not match the preview text, which is Chinese/],
    ['ok', undefined, 'fr', /--language fr is not supported here/],
  ])('refuses %j / %j / %j', (description, preview, language, message) => {
    expect(() => designTexts(description, preview, language)).toThrow(message);
  });
});
