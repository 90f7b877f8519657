import { describe, expect, it } from 'vitest';
import { assignOutputs, checkOutputPath, checkTemplate, renderName, type NameableItem } from '../../../src/batch/naming.js';

const item = (n: number, id: string, extra: Partial<NameableItem> = {}): NameableItem => ({
  n, line: n + 1, id, voice: 'longanyang', format: 'mp3', key: `${'ab'.repeat(6)}${n}`.padEnd(64, '0'), out: undefined, ...extra,
});

describe('templates', () => {
  it('renders every placeholder', () => {
    expect(renderName('{n}-{id}-{voice}-{hash}.{ext}', { n: '3', id: 'intro', voice: 'longanyang', hash: 'abc', ext: 'wav' })).toBe('3-intro-longanyang-abc.wav');
  });

  it.each([
    ['{id}.{ext}', undefined],
    ['ch/{n}_{voice}.{ext}', undefined],
    ['{name}.{ext}', 'unknown placeholder {name}'],
    ['{id.{ext}', 'unbalanced { or }'],
    ['{id}}.mp3', 'unbalanced { or }'],
  ])('checks %j', (template, message) => {
    if (message === undefined) expect(() => checkTemplate(template)).not.toThrow();
    else expect(() => checkTemplate(template)).toThrow(message);
  });
});

describe('checkOutputPath', () => {
  it.each([
    ['a.mp3', 'a.mp3'],
    ['./sub/a.mp3', 'sub/a.mp3'],
    ['sub//deep/./a.mp3', 'sub/deep/a.mp3'],
    ['sub\\a.mp3', 'sub/a.mp3'],
  ])('accepts %j as %j', (path, normalized) => {
    expect(checkOutputPath(path)).toEqual({ ok: true, path: normalized });
  });

  it.each([
    ['/etc/passwd', 'absolute path'],
    ['C:\\x.mp3', 'absolute path'],
    ['../x.mp3', 'leaves the output folder'],
    ['a/../../x.mp3', 'leaves the output folder'],
    ['a/../b.mp3', 'leaves the output folder'],
    ['sub/', 'names a folder'],
    ['.', 'the output folder itself'],
    ['', 'empty'],
    ['cosy-batch.ledger.jsonl', "overwrite cosy's ledger"],
    ['COSY-BATCH.LEDGER.JSONL', "overwrite cosy's ledger"],
  ])('refuses %j', (path, message) => {
    const checked = checkOutputPath(path);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.message).toContain(message);
  });
});

describe('assignOutputs: subtitle sidecars', () => {
  it("refuses a sidecar that lands on another item's audio or sidecar, or on its own audio", () => {
    const srt = { format: 'srt' };
    const items = [
      item(1, 'a', { out: 'a.mp3', subtitles: srt }),
      item(2, 'b', { out: 'a.wav', format: 'wav', subtitles: srt }),
      item(3, 'c', { out: 'c.srt', subtitles: srt }),
      item(4, 'd', { out: 'd.mp3' }),
      item(5, 'e', { out: 'D.wav', format: 'wav', subtitles: { format: 'mp3' } }),
    ];
    const { problems } = assignOutputs(items, '{id}.{ext}');
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [3, 'its subtitles a.srt would overwrite an output of line 2 (id "a"); rename one of them ("out")'],
      [4, 'its subtitles c.srt would overwrite its own audio; name the audio with an audio extension ("out")'],
      [6, 'its subtitles D.mp3 would overwrite an output of line 5 (id "d"); rename one of them ("out")'],
    ]);
  });

  it('accepts sidecars next to distinct names', () => {
    const items = [item(1, 'a', { subtitles: { format: 'vtt' } }), item(2, 'b', { subtitles: { format: 'vtt' } })];
    expect(assignOutputs(items, '{id}.{ext}').problems).toEqual([]);
  });
});

describe('assignOutputs', () => {
  it('names items from the template or their own out, relative to the folder', () => {
    const items = [item(1, '1'), item(2, 'intro', { format: 'wav' }), item(3, 'x', { out: 'custom/name.ogg' })];
    expect(assignOutputs(items, '{id}.{ext}')).toEqual({ outputs: ['1.mp3', 'intro.wav', 'custom/name.ogg'], problems: [] });
    expect(assignOutputs(items, '{n}-{hash}.{ext}').outputs[0]).toBe(`1-${'ab'.repeat(6)}.mp3`);
  });

  it('reports every duplicate path (case-insensitively) and escape, by line, before anything is sent', () => {
    const items = [item(1, 'a'), item(2, 'b', { out: 'A.mp3' }), item(3, 'c', { out: '../c.mp3' }), item(4, 'd', { out: 'b.mp3' }), item(5, 'b')];
    const { problems } = assignOutputs(items, '{id}.{ext}');
    expect(problems).toEqual([
      { line: 3, message: 'output A.mp3 is also the output of line 2 (id "a"); give each item its own "id" or "out", or use {n} or {hash} in --name' },
      { line: 4, message: 'output "../c.mp3" leaves the output folder (..); outputs go inside it (-d)' },
      { line: 6, message: 'output b.mp3 is also the output of line 5 (id "d"); give each item its own "id" or "out", or use {n} or {hash} in --name' },
    ]);
  });

  it('a template without an item-specific placeholder collides', () => {
    const { problems } = assignOutputs([item(1, 'a'), item(2, 'b')], '{voice}.{ext}');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain('output longanyang.mp3 is also the output of line 2');
  });

  it('refuses a file that another output needs as a folder', () => {
    const { problems } = assignOutputs([item(1, 'x', { out: 'ch1' }), item(2, 'y', { out: 'ch1/a.mp3' })], '{id}.{ext}');
    expect(problems).toEqual([{ line: 3, message: 'output ch1/a.mp3 needs ch1 to be a folder, but it is the output of line 2 (id "x")' }]);
  });
});
