import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerSecret } from '../../../src/secrets.js';
import { foldLedger, ledgerFileName, LedgerWriter, parseLedger, readLedgers, type DoneEntry, type FailedEntry, type StartEntry } from '../../../src/batch/ledger.js';

const start = (id: string, at: string): StartEntry => ({ event: 'start', at, id, key: `k${id}`, file: `${id}.mp3` });
const done = (id: string, at: string): DoneEntry => ({
  event: 'done', at, id, key: `k${id}`, file: `${id}.mp3`, task_ids: ['t'], characters: 5, bytes: 10, duration_ms: 100, sha256: 'f'.repeat(64), attempts: 1,
});
const failed = (id: string, at: string, retryable: boolean): FailedEntry => ({
  event: 'failed', at, id, key: `k${id}`, file: `${id}.mp3`, error: { code: 'SERVICE', message: 'no', service_code: 'InvalidParameter' }, retryable, attempts: 1, task_ids: [],
});
const lines = (...entries: object[]): string => entries.map((e) => `${JSON.stringify(e)}\n`).join('');

describe('ledger file names', () => {
  it('one file per shard', () => {
    expect(ledgerFileName()).toBe('cosy-batch.ledger.jsonl');
    expect(ledgerFileName({ index: 1, count: 1 })).toBe('cosy-batch.ledger.jsonl');
    expect(ledgerFileName({ index: 2, count: 4 })).toBe('cosy-batch.ledger.shard-2-of-4.jsonl');
  });
});

describe('parseLedger and foldLedger', () => {
  it('folds to the latest entry of each item', () => {
    const text = lines(
      { event: 'run', at: 'T0', manifest: 'm', items: 3, shard: null },
      start('1', 'T1'), start('2', 'T1'), done('1', 'T2'), failed('2', 'T3', true), start('3', 'T3'), start('2', 'T4'), done('2', 'T5'),
    );
    const read = parseLedger(text);
    expect(read).toMatchObject({ unreadable: [], torn: false });
    const folded = foldLedger(read.entries);
    expect([...folded.entries()].map(([id, e]) => [id, e.event])).toEqual([['1', 'done'], ['2', 'done'], ['3', 'start']]);
  });

  it('tolerates a torn last line (a killed write) and reports other unreadable lines', () => {
    const whole = lines(done('1', 'T1'), done('2', 'T2'));
    const torn = `${whole}${JSON.stringify(done('3', 'T3')).slice(0, 40)}`;
    expect(parseLedger(torn)).toMatchObject({ unreadable: [3], torn: true });
    expect(foldLedger(parseLedger(torn).entries).has('3')).toBe(false);
    const edited = `${lines(done('1', 'T1'))}not json\n{"event":"done","at":"T","id":"x"}\n${lines(done('2', 'T2'))}`;
    expect(parseLedger(edited)).toMatchObject({ unreadable: [2, 3], torn: false });
    expect(parseLedger(edited).entries).toHaveLength(2);
  });
});

describe('LedgerWriter and readLedgers', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cosy-ledger-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends whole lines in call order', async () => {
    const writer = await LedgerWriter.open(join(dir, 'cosy-batch.ledger.jsonl'));
    await Promise.all([writer.append(start('1', 'T1')), writer.append(start('2', 'T1')), writer.append(done('1', 'T2'))]);
    await writer.close();
    expect(readFileSync(join(dir, 'cosy-batch.ledger.jsonl'), 'utf8')).toBe(lines(start('1', 'T1'), start('2', 'T1'), done('1', 'T2')));
  });

  it('cuts off a torn last line before appending', async () => {
    const path = join(dir, 'cosy-batch.ledger.jsonl');
    writeFileSync(path, `${lines(done('1', 'T1'))}{"event":"done","at":"T2","id":"2","ke`);
    const writer = await LedgerWriter.open(path);
    await writer.append(done('3', 'T3'));
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(lines(done('1', 'T1'), done('3', 'T3')));
    writeFileSync(path, '{"event":"sta');
    const again = await LedgerWriter.open(path);
    await again.close();
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('masks registered secrets in what it writes', async () => {
    const secret = 'sk-ledger-secret-0123456789abcdef';
    registerSecret(secret);
    const path = join(dir, 'cosy-batch.ledger.jsonl');
    const writer = await LedgerWriter.open(path);
    await writer.append({ ...failed('1', 'T1', false), error: { code: 'AUTH', message: `key ${secret} was refused` } });
    await writer.close();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(secret);
    expect(parseLedger(text).entries).toMatchObject([{ id: '1', error: { message: 'key sk-…(redacted) was refused' } }]);
  });

  it('merges the ledgers of every shard in time order', async () => {
    writeFileSync(join(dir, 'cosy-batch.ledger.shard-1-of-2.jsonl'), lines(start('1', '2026-01-01T00:00:01.000Z'), done('1', '2026-01-01T00:00:03.000Z')));
    writeFileSync(join(dir, 'cosy-batch.ledger.shard-2-of-2.jsonl'), lines(done('1', '2026-01-01T00:00:02.000Z'), done('2', '2026-01-01T00:00:04.000Z')));
    writeFileSync(join(dir, 'unrelated.jsonl'), 'garbage\n');
    const { entries, notes } = await readLedgers(dir);
    expect(entries.map((e) => e.at.slice(-6))).toEqual(['1.000Z', '2.000Z', '3.000Z', '4.000Z']);
    expect(notes).toEqual([]);
    expect(await readLedgers(join(dir, 'missing'))).toEqual({ entries: [], notes: [] });
  });
});
