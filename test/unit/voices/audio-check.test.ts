import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { checkCloneAudio, containerOf, judgeCloneAudio, readAudioFacts, type AudioFacts } from '../../../src/voices/audio-check.js';
import { tempDir } from '../../helpers/run-cli.js';
import { writeMp3, writeWav } from '../../helpers/audio-files.js';

const GOOD: AudioFacts = { bytes: 400_000, container: 'WAVE', codec: 'PCM', sampleRate: 16000, channels: 1, bitsPerSample: 16, duration: 12 };

describe('containerOf', () => {
  it.each([
    [{ container: 'WAVE', codec: 'PCM' }, 'wav'],
    [{ container: 'MPEG', codec: 'MPEG 1 Layer 3' }, 'mp3'],
    [{ container: 'MPEG', codec: 'MPEG 2 Layer 2' }, undefined],
    [{ container: 'M4A/isom/iso2', codec: 'MPEG-4/AAC' }, 'm4a'],
    [{ container: 'Ogg', codec: 'Opus' }, undefined],
    [{ container: undefined, codec: undefined }, undefined],
  ])('%j → %s', (facts, expected) => {
    expect(containerOf(facts)).toBe(expected);
  });
});

describe('judgeCloneAudio', () => {
  it.each([
    ['a good 12 s mono 16-bit WAV', {}, [], []],
    ['an 8 s clip', { duration: 8 }, [], [/lasts 8\.0 s; 10-20 s/]],
    ['a 30 s clip', { duration: 30 }, [], [/lasts 30\.0 s/]],
    ['stereo', { channels: 2 }, [], [/2 channels; the service uses only the first one/]],
    ['a 3 s clip', { duration: 3 }, [/at least 5 s/], []],
    ['a 61 s clip', { duration: 61 }, [/at most 60 s/], []],
    ['8 kHz', { sampleRate: 8000 }, [/8000 Hz; the service needs at least 16000 Hz/], []],
    ['11 MB', { bytes: 11 * 1024 * 1024 }, [/11\.0 MB; the service accepts at most 10\.0 MB/], []],
    ['24-bit WAV', { bitsPerSample: 24 }, [/24-bit PCM WAV; the service accepts 16-bit/], []],
    ['float WAV', { codec: 'IEEE_FLOAT', bitsPerSample: 32 }, [/32-bit IEEE_FLOAT WAV/], []],
    ['Ogg', { container: 'Ogg', codec: 'Opus' }, [/Ogg \(Opus\) audio; the service accepts WAV/], []],
    ['not audio', { container: undefined, codec: undefined }, [/not an audio file cosy can read/], []],
    ['an unknown duration', { duration: undefined }, [], [/duration cannot be read/]],
  ] as const)('%s', (_name, change, errors, warnings) => {
    const verdict = judgeCloneAudio({ ...GOOD, ...change });
    expect(verdict.errors).toHaveLength(errors.length);
    errors.forEach((e, i) => expect(verdict.errors[i]).toMatch(e));
    expect(verdict.warnings).toHaveLength(warnings.length);
    warnings.forEach((w, i) => expect(verdict.warnings[i]).toMatch(w));
  });

  it('names the upload content type of each container', () => {
    expect(judgeCloneAudio(GOOD).contentType).toBe('audio/wav');
    expect(judgeCloneAudio({ ...GOOD, container: 'MPEG', codec: 'MPEG 1 Layer 3', bitsPerSample: undefined }).contentType).toBe('audio/mpeg');
    expect(judgeCloneAudio({ ...GOOD, container: 'M4A/isom', codec: 'MPEG-4/AAC', bitsPerSample: undefined }).contentType).toBe('audio/mp4');
  });
});

describe('reading real files (music-metadata)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('reads WAV and MP3 facts', async () => {
    const wav = await readAudioFacts(writeWav(dir, 'a.wav', { seconds: 12, channels: 2, sampleRate: 22050 }));
    expect(wav).toMatchObject({ container: 'WAVE', codec: 'PCM', sampleRate: 22050, channels: 2, bitsPerSample: 16, duration: 12 });
    const mp3 = await readAudioFacts(writeMp3(dir, 'b.mp3', 12));
    expect(mp3).toMatchObject({ container: 'MPEG', sampleRate: 22050, channels: 1 });
    expect(mp3.duration).toBeCloseTo(12, 0);
  });

  it('throws one UsageError listing every problem', async () => {
    const path = writeWav(dir, 'bad.wav', { seconds: 3, sampleRate: 8000 });
    const err = (await checkCloneAudio(path).catch((e: unknown) => e)) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('bad.wav cannot be used for cloning: its sample rate is 8000 Hz; the service needs at least 16000 Hz; it lasts 3.0 s; the service needs at least 5 s of continuous speech (10-20 s recommended)');
  });

  it('calls text, a missing file and a folder what they are', async () => {
    writeFileSync(join(dir, 'notes.wav'), 'just text');
    await expect(checkCloneAudio(join(dir, 'notes.wav'))).rejects.toThrow(/not an audio file cosy can read/);
    await expect(checkCloneAudio(join(dir, 'missing.wav'))).rejects.toThrow(/no such file/);
    await expect(checkCloneAudio(dir)).rejects.toThrow(/is not a file/);
  });
});
