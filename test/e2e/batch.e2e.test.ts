/**
 * `cosy batch` end to end: the built binary against the emulator. Manifest formats, refusals before anything is
 * sent, throttling, faults, kill -9 and Ctrl-C followed by a rerun, shards, the estimate against what the emulator
 * billed, and the exit codes.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorOptions, EmulatorTaskRecord } from '../../src/emulator/server.js';
import { foldLedger, parseLedger, type DoneEntry, type LedgerEntry } from '../../src/batch/ledger.js';
import { baseEnv, runCli, tempDir } from '../helpers/run-cli.js';
import { useEmulator, type TestEmulator } from '../helpers/emulator.js';

let dir: string;
let cleanup: () => void;
let emu: TestEmulator | undefined;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cosy-batch-e2e-'));
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  cleanup();
});

/** Starts the emulator (fast synthesis unless told otherwise). */
async function start(options: EmulatorOptions = {}): Promise<TestEmulator> {
  emu = await useEmulator(dir, { msPerCharacter: 5, ...options });
  return emu;
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function ledgerEntries(outDir = 'out', name = 'cosy-batch.ledger.jsonl'): LedgerEntry[] {
  const path = join(dir, outDir, name);
  return existsSync(path) ? parseLedger(readFileSync(path, 'utf8')).entries : [];
}

/** Finished tasks per text at the emulator. */
function finishedPerText(tasks: readonly EmulatorTaskRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tasks) if (t.status === 'finished') counts.set(t.texts.join(''), (counts.get(t.texts.join('')) ?? 0) + 1);
  return counts;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Every done entry's file exists and still has the recorded hash; no partial files are left. */
function expectIntact(outDir: string): void {
  const latest = foldLedger(ledgerEntries(outDir));
  for (const entry of latest.values()) {
    if (entry.event !== 'done') continue;
    expect(sha256(join(dir, outDir, entry.file))).toBe(entry.sha256);
  }
  expect(readdirSync(join(dir, outDir)).filter((f) => f.endsWith('.cosy-partial'))).toEqual([]);
}

/** Resolves once the ledger holds at least `count` done entries. */
function whenDone(outDir: string, count: number, then: () => void): void {
  const timer = setInterval(() => {
    if (ledgerEntries(outDir).filter((e) => e.event === 'done').length >= count) {
      clearInterval(timer);
      then();
    }
  }, 10);
}

const texts = (n: number, prefix = 'Sentence number'): string[] => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1} of the batch.`);

describe('cosy batch: manifests', () => {
  it('reads JSONL with files, SSML and overrides; CSV; and plain text', async () => {
    const { env, emulator } = await start();
    write('m/chapter.txt', 'Read from a file next to the manifest.');
    write('m/items.jsonl', [
      JSON.stringify({ id: 'intro', text: 'Hello from JSONL.', voice: 'longanhuan' }),
      JSON.stringify({ id: 'ch1', file: 'chapter.txt', format: 'wav' }),
      JSON.stringify({ id: 'tag', ssml: '<speak>Hi <break time="200ms"/> there.</speak>' }),
      JSON.stringify({ text: 'Named by its own out.', out: 'sub/custom.opus', rate: 1.2 }),
    ].join('\n'));
    const jsonl = await runCli(['batch', 'm/items.jsonl', '-d', 'out', '--json'], { env, cwd: dir });
    expect(jsonl.stderr).toMatch(/^batch: 4 done, 0 cached, 0 skipped, 0 failed of 4 items; 86 characters billed/);
    expect(jsonl.code).toBe(0);
    expect(JSON.parse(jsonl.stdout.toString())).toMatchObject({ ok: true, items: 4, done: 4, characters: 86, out_dir: 'out', ledger: 'out/cosy-batch.ledger.jsonl' });
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['ch1.wav', 'cosy-batch.ledger.jsonl', 'intro.mp3', 'sub', 'tag.mp3']);
    expect(readdirSync(join(dir, 'out/sub'))).toEqual(['custom.opus']);
    const byText = new Map(emulator.tasks.map((t) => [t.texts.join(''), t.parameters]));
    expect(byText.get('Hello from JSONL.')).toMatchObject({ voice: 'longanhuan', format: 'mp3' });
    expect(byText.get('Read from a file next to the manifest.')).toMatchObject({ format: 'wav' });
    expect(byText.get('<speak>Hi <break time="200ms"/> there.</speak>')).toMatchObject({ enable_ssml: true });
    expect(byText.get('Named by its own out.')).toMatchObject({ format: 'opus', rate: 1.2 });

    write('list.csv', 'id,text,volume\nc1,"First, with a comma.",80\nc2,Second.,\n');
    const csv = await runCli(['batch', 'list.csv', '-d', 'csv-out', '--name', '{n}-{id}.{ext}', '--format', 'pcm'], { env, cwd: dir });
    expect(csv.code).toBe(0);
    expect(readdirSync(join(dir, 'csv-out')).sort()).toEqual(['1-c1.pcm', '2-c2.pcm', 'cosy-batch.ledger.jsonl']);
    expect(emulator.tasks.find((t) => t.texts.join('') === 'First, with a comma.')?.parameters).toMatchObject({ volume: 80, format: 'pcm' });

    write('lines.txt', 'One line.\n\nAnother line.\n');
    const plain = await runCli(['batch', 'lines.txt', '-d', 'txt-out', '--progress', 'json'], { env, cwd: dir });
    expect(plain.code).toBe(0);
    const events = plain.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e['event'])).toEqual(['start', 'item', 'item', 'summary']);
    expect(events.filter((e) => e['event'] === 'item').map((e) => [e['id'], e['status'], e['file']]).sort()).toEqual([['1', 'done', '1.mp3'], ['2', 'done', '2.mp3']]);
  });

  it('takes model, voice and sample rate defaults from cosy config, as say does', async () => {
    const { env, emulator } = await start();
    write('.cosy.json', JSON.stringify({ model: 'cosyvoice-v2', 'sample-rate': 16000 }));
    write('cfg.txt', 'Configured defaults.\n');
    const r = await runCli(['batch', 'cfg.txt', '-d', 'out'], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(emulator.tasks[0]?.model).toBe('cosyvoice-v2');
    expect(emulator.tasks[0]?.parameters).toMatchObject({ voice: 'longxiaochun_v2', sample_rate: 16000, format: 'mp3' });
  });

  it('refuses duplicate output paths and bad lines before anything is sent (exit 2)', async () => {
    const { env, emulator } = await start();
    write('dup.jsonl', [JSON.stringify({ id: 'a', text: 'One.' }), JSON.stringify({ id: 'b', text: 'Two.', out: 'a.mp3' })].join('\n'));
    const dup = await runCli(['batch', 'dup.jsonl', '-d', 'out'], { env, cwd: dir });
    expect(dup.code).toBe(2);
    expect(dup.stderr).toBe(
      'cosy: error: the manifest has 1 problem; nothing was sent:\n' +
        '  dup.jsonl:2: output a.mp3 is also the output of line 1 (id "a"); give each item its own "id" or "out", or use {n} or {hash} in --name\n',
    );

    write('bad.jsonl', [
      JSON.stringify({ text: 'Fine.' }),
      '{"text": "broken',
      JSON.stringify({ text: 'Hi', volume: 300 }),
      JSON.stringify({ text: 'Hi', subtitles: 'x.srt' }),
      JSON.stringify({ text: 'Escapes.', out: '../../etc/x.mp3' }),
    ].join('\n'));
    const bad = await runCli(['batch', 'bad.jsonl', '-d', 'out'], { env, cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^cosy: error: the manifest has 4 problems; nothing was sent:\n  bad.jsonl:2: not valid JSON/);
    expect(bad.stderr).toContain('\n  bad.jsonl:3: --volume 300 is out of range: expected an integer from 0 to 100\n');
    expect(bad.stderr).toContain('\n  bad.jsonl:4: "subtitles" must be one of srt, vtt, lrc, json, none, not "x.srt"');
    expect(bad.stderr).toContain('\n  bad.jsonl:5: output "../../etc/x.mp3" leaves the output folder (..); outputs go inside it (-d)\n');

    write('bad.csv', 'text,voice\nHello,longxiaochun_v2\n');
    const csv = await runCli(['batch', 'bad.csv', '-d', 'out'], { env, cwd: dir });
    expect(csv.code).toBe(2);
    expect(csv.stderr).toContain('bad.csv:2: voice longxiaochun_v2 belongs to cosyvoice-v2, not cosyvoice-v3-flash');
    expect(emulator.connections()).toBe(0);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('cosy batch: what is in the way on disk', () => {
  it('refuses -d naming a file, a folder under an output name, and --json with --progress json, before sending', async () => {
    const { env, emulator } = await start();
    write('lines.txt', 'First.\nSecond.\n');
    write('afile', 'not a folder');
    const file = await runCli(['batch', 'lines.txt', '-d', 'afile'], { env, cwd: dir });
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('-d afile is a file, not a folder');
    mkdirSync(join(dir, 'out', '2.mp3'), { recursive: true });
    const folder = await runCli(['batch', 'lines.txt', '-d', 'out'], { env, cwd: dir });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`lines.txt:2: output ${join(dir, 'out', '2.mp3')} is an existing folder`);
    rmSync(join(dir, 'out', '2.mp3'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'out', '1.mp3')]);
    const fifo = await runCli(['batch', 'lines.txt', '-d', 'out'], { env, cwd: dir });
    expect(fifo.code).toBe(2);
    expect(fifo.stderr).toContain(`lines.txt:1: output ${join(dir, 'out', '1.mp3')} is a named pipe or device, not a file`);
    const both = await runCli(['batch', 'lines.txt', '-d', 'out2', '--json', '--progress', 'json'], { env, cwd: dir });
    expect(both.code).toBe(2);
    expect(emulator.connections()).toBe(0);
  });

  it('replaces a symbolic link under an output name with the file, leaving what it pointed at alone', async () => {
    const { env } = await start();
    write('lines.txt', 'First.\n');
    write('elsewhere.mp3', 'not audio');
    mkdirSync(join(dir, 'out'));
    symlinkSync(join(dir, 'elsewhere.mp3'), join(dir, 'out', '1.mp3'));
    const r = await runCli(['batch', 'lines.txt', '-d', 'out'], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(lstatSync(join(dir, 'out', '1.mp3')).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'elsewhere.mp3'), 'utf8')).toBe('not audio');
    expectIntact('out');
  });

  it("refuses subtitles that would overwrite another item's audio", async () => {
    const { env, emulator } = await start();
    write('subs.jsonl', '{"text":"First item.","out":"a.mp3"}\n{"text":"Second item.","out":"a.srt","format":"mp3"}\n');
    const r = await runCli(['batch', 'subs.jsonl', '-d', 'out', '--subtitles', 'srt'], { env, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('subs.jsonl:2: its subtitles a.srt would overwrite its own audio');
    expect(r.stderr).toContain('subs.jsonl:1: its subtitles a.srt would overwrite an output of line 2');
    expect(emulator.connections()).toBe(0);
  });
});

describe('cosy batch: the service pushing back', () => {
  it('completes under a low emulator rate limit, counting the throttled retries', async () => {
    const { env, emulator } = await start({ faults: { maxTasksPerSecond: 4 } });
    write('t.txt', texts(8).join('\n'));
    const r = await runCli(['batch', 't.txt', '-d', 'out', '--rps', '12', '-j', '4', '--retries', '8', '--json'], { env, cwd: dir });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.toString());
    expect(summary).toMatchObject({ ok: true, done: 8, failed: 0 });
    expect(summary.throttled).toBeGreaterThan(0);
    expect(summary.retries).toBe(summary.throttled);
    expect(emulator.tasks.filter((t) => t.errorCode === 'Throttling.RateQuota')).toHaveLength(summary.throttled);
    expect([...finishedPerText(emulator.tasks).values()]).toEqual(Array(8).fill(1));
  }, 20_000);

  it('retries injected faults, records a permanent failure, finishes the rest, and exits 6', async () => {
    const { env, emulator } = await start({ faults: { failAfterFrames: 1, times: 2 } });
    write('f.jsonl', [
      ...texts(4).map((text, i) => JSON.stringify({ id: `ok${i + 1}`, text })),
      JSON.stringify({ id: 'nope', text: 'This voice does not exist.', voice: 'nobody' }),
    ].join('\n'));
    const r = await runCli(['batch', 'f.jsonl', '-d', 'out', '-j', '1', '--rps', '20', '--json'], { env, cwd: dir });
    expect(r.code).toBe(6);
    // One JSON document on stdout: the summary, with the exit code and its error.
    expect(JSON.parse(r.stdout.toString())).toMatchObject({
      ok: false, done: 4, failed: 1, retries: 2, failures: [{ id: 'nope', line: 5, retryable: false }],
      exit_code: 6, error: { code: 'BATCH_INCOMPLETE', message: '1 of 5 item(s) failed; details in out/cosy-batch.ledger.jsonl' },
    });
    expect(r.stderr).toContain('  failed: line 5 (id "nope"): the service failed the task: InvalidParameter');
    expect(r.stderr).toContain('cosy: error: 1 of 5 item(s) failed; details in out/cosy-batch.ledger.jsonl');
    const latest = foldLedger(ledgerEntries());
    // The first two run-tasks fail (the fault's `times`): ok1 succeeds on its third attempt.
    expect(latest.get('ok1')).toMatchObject({ event: 'done', attempts: 3 });
    expect(latest.get('nope')).toMatchObject({ event: 'failed', retryable: false });
    expect(emulator.tasks.filter((t) => t.status === 'failed')).toHaveLength(3);
    expectIntact('out');

    // A plain rerun leaves the permanent failure alone; --retry-failed tries it again.
    const again = await runCli(['batch', 'f.jsonl', '-d', 'out', '--json'], { env, cwd: dir });
    expect(again.code).toBe(6);
    expect(JSON.parse(again.stdout.toString())).toMatchObject({ skipped: 4, failed: 0, failed_earlier: 1, exit_code: 6 });
    const tasksBefore = emulator.tasks.length;
    const retried = await runCli(['batch', 'f.jsonl', '-d', 'out', '--retry-failed'], { env, cwd: dir });
    expect(retried.code).toBe(6);
    expect(emulator.tasks.length).toBe(tasksBefore + 1);
  }, 20_000);

  it('a rejected key stops the batch with exit 3', async () => {
    const { env } = await start();
    write('k.txt', texts(3).join('\n'));
    const r = await runCli(['batch', 'k.txt', '-d', 'out', '-j', '1'], { env: { ...env, DASHSCOPE_API_KEY: 'sk-not-the-right-key-000' }, cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('batch: 0 done, 0 cached, 0 skipped, 1 failed, 2 not started of 3 items');
    expect(r.stderr).toContain('cosy: error: the service rejected the API key');
  });
});

describe('cosy batch: interruptions and reruns', () => {
  it('kill -9 mid-batch, then a rerun: every item done once, files intact, ledger consistent', async () => {
    const { env, emulator } = await start({ faults: { slowFirstPacketMs: 120 } });
    const items = texts(24);
    write('k.txt', items.join('\n'));
    const first = await runCli(['batch', 'k.txt', '-d', 'out', '-j', '3', '--rps', '50'], {
      env,
      cwd: dir,
      onSpawn: (child: ChildProcess) => {
        child.stdin?.end();
        whenDone('out', 6, () => child.kill('SIGKILL'));
      },
    });
    expect(first.signal).toBe('SIGKILL');
    const doneFirst = new Set(ledgerEntries().filter((e): e is DoneEntry => e.event === 'done').map((e) => e.id));
    expect(doneFirst.size).toBeGreaterThanOrEqual(6);
    expect(doneFirst.size).toBeLessThan(24);

    const second = await runCli(['batch', 'k.txt', '-d', 'out', '-j', '3', '--rps', '50', '--json'], { env, cwd: dir });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout.toString())).toMatchObject({ ok: true, skipped: doneFirst.size, done: 24 - doneFirst.size, failed: 0 });
    const finished = finishedPerText(emulator.tasks);
    items.forEach((text, i) => {
      const count = finished.get(text) ?? 0;
      // Done before the kill: never synthesised again. In flight at the kill: at most once more.
      if (doneFirst.has(String(i + 1))) expect(count).toBe(1);
      else expect(count === 1 || count === 2).toBe(true);
    });
    const entries = ledgerEntries();
    const doneCounts = new Map<string, number>();
    for (const e of entries) if (e.event === 'done') doneCounts.set(e.id, (doneCounts.get(e.id) ?? 0) + 1);
    expect([...doneCounts.values()]).toEqual(Array(24).fill(1));
    expectIntact('out');
    expect(readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.mp3'))).toHaveLength(24);
  }, 20_000);

  it('Ctrl-C lets in-flight items finish, leaves a consistent ledger, exits 130; a rerun completes', async () => {
    const { env } = await start({ faults: { slowFirstPacketMs: 150 } });
    write('c.txt', texts(20).join('\n'));
    const first = await runCli(['batch', 'c.txt', '-d', 'out', '-j', '2', '--rps', '50'], {
      env,
      cwd: dir,
      onSpawn: (child: ChildProcess) => {
        child.stdin?.end();
        whenDone('out', 3, () => child.kill('SIGINT'));
      },
    });
    expect(first.code).toBe(130);
    expect(first.stderr).toContain('warning: interrupted: no new items start; the ones in flight finish (Ctrl-C again to abort them)');
    expect(first.stderr).toMatch(/cosy: error: interrupted; \d+ item\(s\) not started; the ledger is consistent: run the same command again to finish the batch\n$/);
    const entries = ledgerEntries();
    const latest = foldLedger(entries);
    for (const entry of latest.values()) expect(entry.event).toBe('done');
    expectIntact('out');
    const second = await runCli(['batch', 'c.txt', '-d', 'out', '--rps', '50', '--json'], { env, cwd: dir });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout.toString())).toMatchObject({ ok: true, skipped: latest.size, done: 20 - latest.size });
  }, 20_000);
});

describe('cosy batch: shards, cache, estimate, cost', () => {
  it('--shard I/N partitions the manifest exactly: parallel shards cover every item once', async () => {
    const { env, emulator } = await start();
    const items = [...texts(10), 'Sentence number 1 of the batch.'];
    write('s.txt', items.join('\n'));
    const shards = await Promise.all([1, 2, 3].map((i) => runCli(['batch', 's.txt', '-d', 'out', '--shard', `${i}/3`, '--json'], { env, cwd: dir })));
    for (const r of shards) expect(r.code).toBe(0);
    const summaries = shards.map((r) => JSON.parse(r.stdout.toString()));
    expect(summaries.map((s) => s.selected).reduce((a: number, b: number) => a + b, 0)).toBe(11);
    expect(summaries.map((s) => s.shard)).toEqual(['1/3', '2/3', '3/3']);
    expect([...finishedPerText(emulator.tasks).values()]).toEqual(Array(10).fill(1));
    expect(readdirSync(join(dir, 'out')).filter((f) => f.startsWith('cosy-batch.ledger')).sort()).toEqual([
      'cosy-batch.ledger.shard-1-of-3.jsonl', 'cosy-batch.ledger.shard-2-of-3.jsonl', 'cosy-batch.ledger.shard-3-of-3.jsonl',
    ]);
    expect(readFileSync(join(dir, 'out/11.mp3'))).toEqual(readFileSync(join(dir, 'out/1.mp3')));
    const whole = await runCli(['batch', 's.txt', '-d', 'out', '--json'], { env, cwd: dir });
    expect(JSON.parse(whole.stdout.toString())).toMatchObject({ ok: true, skipped: 11, done: 0 });
  });

  it('--estimate (no key, no connection) matches what the emulator bills', async () => {
    write('e.jsonl', [
      JSON.stringify({ text: 'Hello there, how are you today?' }),
      JSON.stringify({ text: '今天天气很好，我们去公园散步吧。' }),
      JSON.stringify({ ssml: '<speak>Tags <break time="100ms"/> are not billed.</speak>' }),
      JSON.stringify({ text: 'Hello there, how are you today?', id: 'again' }),
      JSON.stringify({ text: 'Plus model.', model: 'cosyvoice-v3-plus' }),
    ].join('\n'));
    const estimate = await runCli(['batch', 'e.jsonl', '-d', 'out', '--estimate', '--json'], { env: baseEnv(dir), cwd: dir });
    expect(estimate.code).toBe(0);
    const e = JSON.parse(estimate.stdout.toString());
    expect(e).toMatchObject({ ok: true, estimate: true, items: 5, requests: 4, cached: 1, region: 'cn' });
    const human = await runCli(['batch', 'e.jsonl', '--estimate'], { env: baseEnv(dir), cwd: dir });
    expect(human.stdout.toString()).toBe(
      `5 items (1 copied from identical requests): 4 request(s), ${e.characters} characters on cosyvoice-v3-flash, cosyvoice-v3-plus in region cn ≈ $${e.usd.toFixed(4)} (¥${e.cny.toFixed(4)})\n`,
    );
    const { env, emulator } = await start();
    const r = await runCli(['batch', 'e.jsonl', '-d', 'out', '--json'], { env, cwd: dir });
    expect(r.code).toBe(0);
    const billed = emulator.tasks.filter((t) => t.status === 'finished').reduce((n, t) => n + t.billedCharacters, 0);
    expect(billed).toBe(e.characters);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ characters: e.characters, cached: 1, estimated_cost: { usd: e.usd, cny: e.cny } });
  });

  it('--max-cost refuses a batch above it before connecting (exit 2)', async () => {
    const { env, emulator } = await start();
    write('big.txt', Array.from({ length: 50 }, (_, i) => `${i} ${'长'.repeat(900)}`).join('\n'));
    const r = await runCli(['batch', 'big.txt', '-d', 'out', '--max-cost', '0.10'], { env, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cosy: error: the batch would cost about $1.29 (90,140 characters in 50 request(s)), above --max-cost $0.1000; nothing was sent');
    expect(emulator.connections()).toBe(0);
  });
});

describe('subtitle sidecars', () => {
  it('writes a valid sidecar next to each output, copies it for identical requests, and redoes an item whose sidecar is gone', async () => {
    const { env, emulator } = await start();
    const { checkVtt } = await import('../../src/subtitles/vtt-check.js');
    write(
      'm.jsonl',
      [
        '{"id":"a","text":"Hello there. This is item one."}',
        '{"id":"b","text":"Second item, in SRT.","subtitles":"srt"}',
        '{"id":"c","text":"Hello there. This is item one."}',
        '{"id":"d","text":"No subtitles here.","subtitles":"none"}',
      ].join('\n'),
    );
    const r = await runCli(['batch', 'm.jsonl', '-d', 'out', '--subtitles', 'vtt'], { env, cwd: dir });
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, 'out')).sort();
    expect(files).toEqual(['a.mp3', 'a.vtt', 'b.mp3', 'b.srt', 'c.mp3', 'c.vtt', 'cosy-batch.ledger.jsonl', 'd.mp3']);
    const vtt = readFileSync(join(dir, 'out', 'a.vtt'), 'utf8');
    expect(checkVtt(vtt)).toEqual([]);
    expect(vtt).toContain('This is item one.');
    expect(readFileSync(join(dir, 'out', 'c.vtt'), 'utf8')).toBe(vtt);
    expect(emulator.tasks.every((t) => t.parameters['word_timestamp_enabled'] === true || t.texts.join('') === 'No subtitles here.')).toBe(true);
    const before = emulator.tasks.length;
    const again = await runCli(['batch', 'm.jsonl', '-d', 'out', '--subtitles', 'vtt'], { env, cwd: dir });
    expect(again.code).toBe(0);
    expect(emulator.tasks.length).toBe(before);
    // a missing sidecar means the item is not done
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'out', 'b.srt'));
    const redo = await runCli(['batch', 'm.jsonl', '-d', 'out', '--subtitles', 'vtt'], { env, cwd: dir });
    expect(redo.code).toBe(0);
    expect(emulator.tasks.length).toBe(before + 1);
    expect(existsSync(join(dir, 'out', 'b.srt'))).toBe(true);
  });

  it('refuses, before sending, an item whose voice has no timestamps unless --subtitles-fallback sentence', async () => {
    const { env, emulator } = await start();
    write('m.jsonl', '{"id":"j","text":"こんにちは。","voice":"loongriko_v3"}\n');
    const refused = await runCli(['batch', 'm.jsonl', '-d', 'out', '--subtitles', 'srt'], { env, cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('m.jsonl:1: voice loongriko_v3 has no word timestamps');
    expect(emulator.connections()).toBe(0);
    const ok = await runCli(['batch', 'm.jsonl', '-d', 'out', '--subtitles', 'srt', '--subtitles-fallback', 'sentence'], { env, cwd: dir });
    expect(ok.code).toBe(0);
    expect(readFileSync(join(dir, 'out', 'j.srt'), 'utf8')).toMatch(/^1\n00:00:00,000 --> /);
  });
});
