import { describe, expect, it } from 'vitest';
import { TaskFeeder } from '../../../src/tts/task-feeder.js';
import { AsyncQueue } from '../../../src/tts/async-queue.js';
import { ReplayableText } from '../../../src/tts/replayable.js';

async function collect(feeder: TaskFeeder): Promise<string[][]> {
  const tasks: string[][] = [];
  for await (const task of feeder) {
    const items: string[] = [];
    for await (const f of task) items.push(f);
    tasks.push(items);
  }
  return tasks;
}

describe('TaskFeeder: pending text', () => {
  it('counts what was pushed and not yet taken, and wakes a waiter once it falls below the bound', async () => {
    const feeder = new TaskFeeder();
    feeder.push('aaaa');
    feeder.push('中中'); // 4 counted
    expect(feeder.pendingChars).toBe(8);
    let woke = false;
    const waiting = feeder.whenBelow(5).then(() => {
      woke = true;
    });
    const tasks = feeder[Symbol.asyncIterator]();
    const task = (await tasks.next()).value as AsyncIterable<string>;
    const fragments = task[Symbol.asyncIterator]();
    expect((await fragments.next()).value).toBe('aaaa');
    await waiting;
    expect(woke).toBe(true);
    expect(feeder.pendingChars).toBe(4);
    await expect(feeder.whenBelow(5)).resolves.toBeUndefined();
  });

  it('releases every waiter when the input ends', async () => {
    const feeder = new TaskFeeder();
    feeder.push('x'.repeat(100));
    const waiting = feeder.whenBelow(10);
    feeder.end();
    await expect(waiting).resolves.toBeUndefined();
  });
});

describe('TaskFeeder', () => {
  it('groups fragments into tasks at endTask, and starts a task only when text arrives', async () => {
    const feeder = new TaskFeeder();
    const result = collect(feeder);
    feeder.endTask(); // nothing open: no empty task
    feeder.push('a');
    feeder.push('b');
    feeder.endTask();
    feeder.endTask();
    feeder.push('c');
    feeder.end();
    expect(await result).toEqual([['a', 'b'], ['c']]);
  });

  it('never begins a task with whitespace alone, but keeps whitespace inside a task', async () => {
    const feeder = new TaskFeeder();
    const result = collect(feeder);
    feeder.push('\n\n'); // before any task
    feeder.push('Hello.');
    feeder.push(' \n');
    feeder.endTask(); // an idle pause
    feeder.push('\n  \n'); // trailing newlines after it: no task
    feeder.end();
    expect(await result).toEqual([['Hello.', ' \n']]);
  });

  it('rolls over to a new task before the per-task limit', async () => {
    const feeder = new TaskFeeder(10);
    const result = collect(feeder);
    for (const f of ['aaaa', 'bbbb', 'cccc', '中中']) feeder.push(f); // 4+4 | 4+4 | ...
    feeder.end();
    expect(await result).toEqual([['aaaa', 'bbbb'], ['cccc', '中中']]);
  });

  it('prime begins a task before its first fragment, once', async () => {
    const feeder = new TaskFeeder();
    const tasks = feeder[Symbol.asyncIterator]();
    feeder.prime();
    feeder.prime();
    const first = await tasks.next();
    expect(first.done).toBe(false);
    feeder.push('a');
    feeder.end();
    const items: string[] = [];
    for await (const f of first.value as AsyncIterable<string>) items.push(f);
    expect(items).toEqual(['a']);
    expect((await tasks.next()).done).toBe(true);
  });

  it('ignores empty fragments and fragments after end', async () => {
    const feeder = new TaskFeeder();
    const result = collect(feeder);
    feeder.push('');
    feeder.push('x');
    feeder.end();
    feeder.push('late');
    expect(await result).toEqual([['x']]);
  });
});

describe('AsyncQueue', () => {
  it('delivers items pushed before and after the consumer waits, then ends', async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    const got: number[] = [];
    const done = (async () => {
      for await (const n of q) got.push(n);
    })();
    await Promise.resolve();
    q.push(2);
    q.close();
    q.push(3);
    await done;
    expect(got).toEqual([1, 2]);
  });
});

describe('ReplayableText', () => {
  it('replays what was read to a new reader, then continues with new items', async () => {
    const q = new AsyncQueue<string>();
    const replay = new ReplayableText(q);
    const first = replay.reader()[Symbol.asyncIterator]();
    q.push('a');
    q.push('b');
    expect((await first.next()).value).toBe('a');
    expect((await first.next()).value).toBe('b');
    const pending = first.next(); // abandoned reader waiting for more
    const second = replay.reader()[Symbol.asyncIterator]();
    expect((await second.next()).value).toBe('a');
    expect((await second.next()).value).toBe('b');
    const next = second.next();
    q.push('c');
    q.close();
    expect((await next).value).toBe('c');
    expect((await pending).value).toBe('c'); // nothing lost to the abandoned reader
    expect((await second.next()).done).toBe(true);
    expect(replay.recorded).toEqual(['a', 'b', 'c']);
  });

  it('reads arrays too', async () => {
    const out: string[] = [];
    for await (const s of new ReplayableText(['x', 'y']).reader()) out.push(s);
    expect(out).toEqual(['x', 'y']);
  });
});
