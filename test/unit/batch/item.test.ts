import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { resolveItem, type ResolveContext } from '../../../src/batch/item.js';
import type { ItemFields } from '../../../src/batch/fields.js';

const files: Record<string, string> = {
  '/m/chapter.txt': '\uFEFFFirst sentence. Second one.',
  '/m/doc.ssml': '<speak>Hello <break time="500ms"/> there</speak>',
  '/m/pron.json': '{"pronunciation":[{"行长":"hang2 zhang3"}]}',
};

const context = (over: Partial<ResolveContext['defaults']> = {}): ResolveContext => ({
  manifestDir: '/m',
  region: 'cn',
  defaults: { model: 'cosyvoice-v3-flash', ...over },
  readTextFile: async (path) => {
    const text = files[path];
    if (text === undefined) throw new UsageError(`cannot read ${path}: no such file`);
    return text;
  },
  defaultVoice: (model) => (model === 'cosyvoice-v2' ? 'longxiaochun_v2' : model.startsWith('cosyvoice-v3-') ? 'longanyang' : undefined),
});

async function resolved(fields: ItemFields, over: Partial<ResolveContext['defaults']> = {}) {
  const r = await resolveItem(fields, { n: 4, line: 7 }, context(over));
  if (!r.ok) throw new Error(r.problems.join('; '));
  return r.item;
}

async function problems(fields: ItemFields, over: Partial<ResolveContext['defaults']> = {}): Promise<string[]> {
  const r = await resolveItem(fields, { n: 4, line: 7 }, context(over));
  return r.ok ? [] : r.problems;
}

describe('resolveItem', () => {
  it('applies command-line defaults, and item fields override them', async () => {
    const item = await resolved({ text: 'Hello.', volume: 80 }, { volume: 20, rate: 1.5, format: 'wav' });
    expect(item).toMatchObject({ n: 4, line: 7, id: '4', ssml: false, model: 'cosyvoice-v3-flash', voice: 'longanyang', format: 'wav', sampleRate: 22050, billed: 6 });
    expect(item.parameters).toMatchObject({ volume: 80, rate: 1.5, format: 'wav', voice: 'longanyang', text_type: 'PlainText' });
    expect(item.tasks).toEqual([['Hello.']]);
  });

  it('takes the model default voice for an item that changes the model, and its own format from "out"', async () => {
    const item = await resolved({ id: 'v2', text: '你好', model: 'cosyvoice-v2', out: 'a/b.opus' });
    expect(item).toMatchObject({ id: 'v2', voice: 'longxiaochun_v2', format: 'opus', sampleRate: 24000, billed: 4, out: 'a/b.opus' });
  });

  it('reads "file" relative to the manifest, without its BOM, and splits long text into messages', async () => {
    const item = await resolved({ file: 'chapter.txt' });
    expect(item.tasks).toEqual([['First sentence. Second one.']]);
    const long = await resolved({ text: 'A sentence of some length. '.repeat(200) });
    expect(long.tasks[0]?.length).toBeGreaterThan(1);
    expect(long.tasks.flat().join('')).toBe('A sentence of some length. '.repeat(200));
  });

  it('treats "ssml", and text or files starting with <speak, as SSML sent in one message', async () => {
    const fromField = await resolved({ ssml: '<speak>Hi</speak>' });
    expect(fromField).toMatchObject({ ssml: true, billed: 2, tasks: [['<speak>Hi</speak>']] });
    expect(fromField.parameters.enable_ssml).toBe(true);
    expect((await resolved({ file: 'doc.ssml' })).ssml).toBe(true);
    expect((await resolved({ text: '  <speak>x</speak>' })).ssml).toBe(true);
    expect((await resolved({ text: 'say <speak> loudly' })).ssml).toBe(false);
  });

  it('uses an item\'s own pronunciation file', async () => {
    const item = await resolved({ text: '行长', pronounce: 'pron.json' });
    expect(item.parameters.hot_fix).toEqual({ pronunciation: [{ 行长: 'hang2 zhang3' }] });
  });

  it('takes an "out" without an audio extension when the format is given (as say -o x --format)', async () => {
    expect((await resolved({ text: 'Hi', out: 'k.txt', format: 'wav' })).format).toBe('wav');
    expect((await resolved({ text: 'Hi', out: 'k.txt' }, { format: 'mp3' })).format).toBe('mp3');
    expect((await resolved({ text: 'Emoji 😀 are fine.' })).tasks).toEqual([['Emoji 😀 are fine.']]);
  });

  it('equal requests get equal keys; any difference changes the key', async () => {
    const a = await resolved({ id: 'a', text: 'Same.' });
    const b = await resolved({ id: 'b', text: 'Same.', out: 'x.mp3' });
    const c = await resolved({ id: 'c', text: 'Same.', rate: 1.1 });
    expect(a.key).toBe(b.key);
    expect(c.key).not.toBe(a.key);
  });

  it.each<[ItemFields, string]>([
    [{}, 'no text: give one of "text", "file" or "ssml"'],
    [{ text: 'a', file: 'b' }, 'give only one of "text", "file"'],
    [{ text: '  ' }, '"text" is empty'],
    [{ file: 'missing.txt' }, 'cannot read /m/missing.txt: no such file'],
    [{ text: 'Hi', volume: 101 }, '--volume 101 is out of range'],
    [{ text: 'Hi', voice: 'longxiaochun_v2' }, 'voice longxiaochun_v2 belongs to cosyvoice-v2'],
    [{ text: 'Hi', model: 'cosyvoice-v3.5-flash' }, 'cosyvoice-v3.5-flash has no system voices'],
    [{ text: 'Hi', model: 'cosyvoce-v3' }, 'unknown model cosyvoce-v3; cosy knows cosyvoice-v3.5-plus'],
    [{ text: 'Hi', out: 'a.wav', format: 'mp3' }, '"out" a.wav says wav but "format" says mp3'],
    [{ text: 'Hi', out: 'k.txt' }, 'cannot tell the audio format from "out" "k.txt": use a .mp3, .wav, .pcm, .opus or .ogg name, or add "format" (or --format)'],
    [{ text: 'bad \ud800 surrogate' }, '"text" is not valid text: an unpaired surrogate \\ud800 at character 5'],
    [{ ssml: '<speak>Hi' }, '"ssml" 1:'],
    [{ ssml: `<speak>${'字'.repeat(1001)}</speak>` }, '[R-CTX-LEN]'],
    [{ ssml: '<speak>Hi</speak>', model: 'cosyvoice-v1', voice: 'longxiaochun' }, 'SSML is not supported by cosyvoice-v1'],
  ])('refuses %j', async (fields, message) => {
    const found = await problems(fields);
    expect(found.join('\n')).toContain(message);
  });
});
