import { describe, expect, it } from 'vitest';
import { FrameDurationMeter } from '../../../src/audio/frame-duration.js';
import { createAudioSynth } from '../../../src/emulator/audio-synth.js';
import type { AudioFormat } from '../../../src/protocol/limits.js';

function stream(format: AudioFormat, sampleRate: number, ms: number[]): Buffer {
  const synth = createAudioSynth({ format, sampleRate, bitRate: 32, volume: 50, pitch: 1 });
  return Buffer.concat([...ms.flatMap((d) => synth.render(d, 'x')), ...synth.finish()]);
}

describe('FrameDurationMeter', () => {
  it.each<[AudioFormat, number, number]>([
    ['pcm', 16000, 0.1],
    ['wav', 22050, 0.1],
    ['mp3', 22050, 30], // whole 26.1 ms frames
    ['mp3', 48000, 30],
    ['opus', 48000, 21], // 20 ms packets, plus the finish packet
  ])('%s at %i Hz measures the rendered duration whatever the chunking (±%f ms)', (format, rate, tolerance) => {
    const data = stream(format, rate, [1200, 800, 1500]);
    for (const chunk of [1, 7, 333, 4096, data.length]) {
      const meter = new FrameDurationMeter(format, rate);
      let sum = 0;
      for (let i = 0; i < data.length; i += chunk) sum += meter.push(data.subarray(i, i + chunk));
      expect(Math.abs(sum - 3500)).toBeLessThanOrEqual(tolerance);
      expect(meter.totalMs).toBeCloseTo(sum, 6);
    }
  });
});
