import { describe, expect, it } from 'vitest';
import { BatchProgress, formatDuration, type ProgressIO } from '../../../src/batch/progress.js';
import type { PlannedItem } from '../../../src/batch/plan.js';
import { ServiceError } from '../../../src/errors.js';

const item = { id: 'a', line: 3, output: 'a.mp3' } as PlannedItem;

function capture(): { io: ProgressIO; stderr: string[]; said: string[]; events: Record<string, unknown>[] } {
  const stderr: string[] = [];
  const said: string[] = [];
  const events: Record<string, unknown>[] = [];
  return { io: { stderr: { write: (t: string) => stderr.push(t), columns: 200 }, say: (t, level) => said.push(`${level}: ${t}`), event: (v) => events.push(v), verbose: false }, stderr, said, events };
}

describe('formatDuration', () => {
  it.each([[0, '0s'], [4_400, '4s'], [59_600, '1:00'], [65_000, '1:05'], [3_725_000, '1:02:05']])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('BatchProgress', () => {
  it('draws items, characters, failures, retries and an ETA on the bar', () => {
    const { io } = capture();
    const progress = new BatchProgress('bar', io, { items: 4, characters: 100 });
    progress.itemFinished({ item, status: 'done', characters: 25, bytes: 1, durationMs: 1, taskIds: [], attempts: 1 }, 25);
    progress.itemFinished({ item, status: 'failed', characters: 0, bytes: 0, durationMs: null, taskIds: [], attempts: 1, error: new Error('boom') }, 25);
    progress.retry(item, new ServiceError('Throttling.RateQuota', 'Requests rate limit exceeded'), 1, 1000);
    expect(progress.line(10_000)).toBe('[██████████░░░░░░░░░░] 2/4 items · 50/100 chars · 1 failed · 1 retries · ETA 10s');
    progress.finish({});
  });

  it('prints messages above the bar and removes the bar at the end', () => {
    const { io, stderr, said } = capture();
    const progress = new BatchProgress('bar', io, { items: 1, characters: 10 });
    progress.start({});
    progress.itemFinished({ item, status: 'failed', characters: 0, bytes: 0, durationMs: null, taskIds: [], attempts: 2, error: new Error('boom') }, 10);
    progress.finish({});
    expect(said).toEqual(['warn: line 3 (id "a") failed: boom']);
    expect(stderr[0]).toMatch(/^\r\x1b\[2K\[░+\] 0\/1 items/);
    expect(stderr).toContain('\r\x1b[2K');
    expect(stderr[stderr.length - 1]).toBe('\r\x1b[2K');
  });

  it('emits NDJSON events in json mode', () => {
    const { io, events } = capture();
    const progress = new BatchProgress('json', io, { items: 1, characters: 10 });
    progress.start({ items: 1 });
    progress.retry(item, new ServiceError('InternalError', 'oops'), 1, 900);
    progress.itemFinished({ item, status: 'cached', characters: 0, bytes: 9, durationMs: 5, taskIds: [], attempts: 0, cachedFrom: 'z' }, 0);
    progress.finish({ ok: true });
    expect(events).toEqual([
      { event: 'start', items: 1 },
      { event: 'retry', id: 'a', line: 3, attempt: 1, delay_ms: 900, error: { code: 'SERVICE', message: 'the service failed the task: InternalError: oops' } },
      { event: 'item', id: 'a', line: 3, status: 'cached', file: 'a.mp3', characters: 0, bytes: 9, duration_ms: 5, attempts: 0, task_ids: [], cached_from: 'z' },
      { event: 'summary', ok: true },
    ]);
  });
});
