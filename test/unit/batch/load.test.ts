import { describe, expect, it } from 'vitest';
import { loadBatch, type LoadOptions } from '../../../src/batch/load.js';
import { UsageError } from '../../../src/errors.js';

const options = (format: LoadOptions['format']): LoadOptions => ({
  format,
  template: '{id}.{ext}',
  outDir: '/out',
  manifestDir: '/m',
  region: 'cn',
  defaults: { model: 'cosyvoice-v3-flash' },
  readTextFile: async (path) => {
    throw new UsageError(`cannot read ${path}: no such file`);
  },
  defaultVoice: () => 'longanyang',
});

describe('loadBatch', () => {
  it('names every item and resolves its absolute path', async () => {
    const loaded = await loadBatch('Hello.\n\nWorld.\n', options('text'));
    expect(loaded.problems).toEqual([]);
    expect(loaded.items.map((i) => [i.line, i.id, i.output, i.path])).toEqual([[1, '1', '1.mp3', '/out/1.mp3'], [3, '2', '2.mp3', '/out/2.mp3']]);
  });

  it('reports every bad line of a manifest at once, in line order', async () => {
    const manifest = [
      '{"id":"a","text":"Hello"}',
      '{"id":"b","text":"Hi","volume":"loud"}',
      'oops',
      '{"id":"a","text":"again"}',
      '{"id":"c","text":"x","subtitles":"c.srt"}',
      '{"id":"d","text":"y","out":"../d.mp3"}',
      '{"id":"e","text":"z","out":"a.mp3"}',
      '{"id":"f","file":"gone.txt"}',
    ].join('\n');
    const loaded = await loadBatch(manifest, options('jsonl'));
    expect(loaded.problems.map((p) => [p.line, p.message])).toEqual([
      [2, '"volume" must be a number, not "loud"'],
      [3, expect.stringMatching(/^not valid JSON/)],
      [4, 'id "a" is also the id of line 1 (id "a"); ids must be unique'],
      [5, '"subtitles" must be one of srt, vtt, lrc, json, none, not "c.srt"'],
      [6, 'output "../d.mp3" leaves the output folder (..); outputs go inside it (-d)'],
      [7, expect.stringMatching(/^output a.mp3 is also the output of line 1 \(id "a"\)/)],
      [8, 'cannot read /m/gone.txt: no such file'],
    ]);
  });

  it('collects request warnings with the number of items they concern', async () => {
    const loaded = await loadBatch('{"text":"a","voice":"nobody"}\n{"text":"b","model":"cosyvoice-v3.5-plus","voice":"x"}\n{"text":"c","model":"cosyvoice-v3.5-plus","voice":"y","seed":1}\n{"text":"d","model":"cosyvoice-v3.5-plus","voice":"z","seed":2}', options('jsonl'));
    expect(loaded.problems).toEqual([]);
    expect([...loaded.warnings.values()]).toEqual([2]);
  });

  it('an empty manifest is a problem', async () => {
    expect((await loadBatch('\n\n', options('text'))).problems).toEqual([{ line: 0, message: 'the manifest has no items' }]);
  });
});
