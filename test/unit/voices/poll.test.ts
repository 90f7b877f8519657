import { describe, expect, it } from 'vitest';
import { ServiceError, TimeoutError } from '../../../src/errors.js';
import type { CustomVoiceDetails } from '../../../src/voices/enrollment-api.js';
import { pollIntervalMs, POLL_MAX_INTERVAL_MS, waitForVoice } from '../../../src/voices/poll.js';

function record(status: string): CustomVoiceDetails {
  return { voiceId: 'v', status, gmtCreate: undefined, gmtModified: undefined, targetModel: 't', kind: 'clone', resourceLink: undefined, voicePrompt: undefined, previewText: undefined };
}

/** Runs waitForVoice over a status script with a fake clock advanced by each sleep. */
async function run(statuses: string[], timeoutMs: number) {
  let clock = 0;
  const sleeps: number[] = [];
  const seen: string[] = [];
  const result = await waitForVoice('v', async () => record(statuses.shift() ?? 'DEPLOYING'), {
    timeoutMs,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    onStatus: (v) => seen.push(v.status),
  }).catch((e: unknown) => e);
  return { result, sleeps, seen };
}

describe('waitForVoice', () => {
  it('returns the record once it is OK, polling at growing intervals', async () => {
    const { result, sleeps, seen } = await run(['DEPLOYING', 'DEPLOYING', 'DEPLOYING', 'OK'], 60_000);
    expect((result as CustomVoiceDetails).status).toBe('OK');
    expect(sleeps).toEqual([500, 1000, 2000]);
    expect(seen).toEqual(['DEPLOYING', 'DEPLOYING', 'DEPLOYING', 'OK']);
  });

  it('fails with a ServiceError on UNDEPLOYED', async () => {
    const { result } = await run(['DEPLOYING', 'UNDEPLOYED'], 60_000);
    expect(result).toBeInstanceOf(ServiceError);
    expect((result as ServiceError).message).toMatch(/voice v failed: .*UNDEPLOYED/);
    expect((result as ServiceError).exitCode).toBe(4);
  });

  it('times out with a TimeoutError that says how to check later, never sleeping past the deadline', async () => {
    const { result, sleeps } = await run([], 1200);
    expect(result).toBeInstanceOf(TimeoutError);
    expect((result as TimeoutError).message).toBe('voice v is still DEPLOYING after 1 s');
    expect((result as TimeoutError).hint).toContain('cosy voices show v');
    expect(sleeps).toEqual([500, 700]);
  });

  it('caps the interval', () => {
    expect(pollIntervalMs(0)).toBe(500);
    expect(pollIntervalMs(10)).toBe(POLL_MAX_INTERVAL_MS);
  });
});
