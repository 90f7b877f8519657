import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DoneEntry, FailedEntry, ItemEntry, LedgerEntry } from '../../../src/batch/ledger.js';
import { planBatch, sidecarPath, type PlannedItem } from '../../../src/batch/plan.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cosy-plan-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function item(id: string, key: string): PlannedItem {
  return {
    n: Number(id.replace(/\D/g, '') || '0'), line: 1, id, ssml: false, model: 'cosyvoice-v3-flash', voice: 'longanyang', format: 'mp3', sampleRate: 22050,
    parameters: { text_type: 'PlainText', voice: 'longanyang', format: 'mp3', sample_rate: 22050, volume: 50, rate: 1, pitch: 1 },
    tasks: [['x']], billed: 1, key, out: undefined, subtitles: undefined, warnings: [], output: `${id}.mp3`, path: join(dir, `${id}.mp3`),
  };
}

/** Writes an output file and returns its done entry. */
function written(id: string, key: string, content = `audio of ${id}`, file = `${id}.mp3`): DoneEntry {
  writeFileSync(join(dir, file), content);
  const sha256 = createHash('sha256').update(content).digest('hex');
  return { event: 'done', at: 'T', id, key, file, task_ids: ['t'], characters: 1, bytes: Buffer.byteLength(content), duration_ms: 1, sha256, attempts: 1 };
}

function failed(id: string, key: string, retryable: boolean): FailedEntry {
  return { event: 'failed', at: 'T', id, key, file: `${id}.mp3`, error: { code: 'SERVICE', message: 'bad voice' }, retryable, attempts: 1, task_ids: [] };
}

function ledger(entries: LedgerEntry[]): { latest: Map<string, ItemEntry>; entries: LedgerEntry[] } {
  const latest = new Map<string, ItemEntry>();
  for (const e of entries) if (e.event !== 'run') latest.set(e.id, e);
  return { latest, entries };
}

const defaults = { force: false, retryFailed: false, cache: true };

describe('planBatch', () => {
  it('skips intact done items, redoes changed or damaged ones, leaves permanent failures alone', async () => {
    const entries: LedgerEntry[] = [written('i1', 'A'), written('i2', 'B'), written('i3', 'C'), failed('i4', 'D', false), failed('i5', 'E', true), { event: 'start', at: 'T', id: 'i6', key: 'F', file: 'i6.mp3' }];
    writeFileSync(join(dir, 'i2.mp3'), 'tampered audio!');
    const items = [item('i1', 'A'), item('i2', 'B'), item('i3', 'C-changed'), item('i4', 'D'), item('i5', 'E'), item('i6', 'F'), item('i7', 'G')];
    const plan = await planBatch(items, ledger(entries), dir, defaults);
    expect(plan.skipped.map((s) => s.item.id)).toEqual(['i1']);
    expect(plan.failedEarlier.map((s) => s.item.id)).toEqual(['i4']);
    expect(plan.units.map((u) => [u.items.map((i) => i.id), u.source.kind])).toEqual([
      [['i2'], 'synthesize'], [['i3'], 'synthesize'], [['i5'], 'synthesize'], [['i6'], 'synthesize'], [['i7'], 'synthesize'],
    ]);
    const retry = await planBatch(items, ledger(entries), dir, { ...defaults, retryFailed: true });
    expect(retry.failedEarlier).toEqual([]);
    const force = await planBatch(items, ledger(entries), dir, { ...defaults, force: true });
    expect(force.skipped).toEqual([]);
    expect(force.units).toHaveLength(7);
  });

  it('synthesises identical requests once, and copies from intact earlier outputs with the same request', async () => {
    const entries: LedgerEntry[] = [written('old', 'K1'), written('done', 'K2')];
    const items = [item('a1', 'K1'), item('b1', 'N'), item('b2', 'N'), item('done', 'K2'), item('c1', 'K2')];
    const plan = await planBatch(items, ledger(entries), dir, defaults);
    expect(plan.skipped.map((s) => s.item.id)).toEqual(['done']);
    expect(plan.units.map((u) => [u.items.map((i) => i.id), u.source.kind === 'copy' ? u.source.fromId : 'synthesize'])).toEqual([
      [['a1'], 'old'], [['b1', 'b2'], 'synthesize'], [['c1'], 'done'],
    ]);
    const noCache = await planBatch(items, ledger(entries), dir, { ...defaults, cache: false });
    expect(noCache.units.map((u) => u.items.length)).toEqual([1, 1, 1, 1]);
    expect(noCache.units.every((u) => u.source.kind === 'synthesize')).toBe(true);
  });

  it('does not copy from a file this run overwrites', async () => {
    const entries: LedgerEntry[] = [written('x', 'OLD')];
    const items = [item('x', 'NEW'), item('y', 'OLD')];
    const plan = await planBatch(items, ledger(entries), dir, defaults);
    expect(plan.units.map((u) => u.source.kind)).toEqual(['synthesize', 'synthesize']);
    expect(readFileSync(join(dir, 'x.mp3'), 'utf8')).toBe('audio of x');
  });
});

describe('sidecarPath', () => {
  it.each([
    ['/o/a.mp3', 'vtt', '/o/a.vtt'],
    ['/o/x.y/a', 'srt', '/o/x.y/a.srt'],
    ['/o/a.b.wav', 'json', '/o/a.b.json'],
  ])('%s + %s → %s', (audio, format, expected) => {
    expect(sidecarPath(audio, format)).toBe(expected);
  });
});
