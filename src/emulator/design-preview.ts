/**
 * The preview audio of a designed voice: the emulator's deterministic synthesis of the preview text, as one complete
 * file in the requested format (a WAV header with the real sizes, not the streaming placeholder).
 */
import { countCharacters } from '../protocol/counting.js';
import type { AudioFormat } from '../protocol/limits.js';
import { WAV_HEADER_SIZE } from '../audio/wav.js';
import { createAudioSynth } from './audio-synth.js';

/** Opus bit rate of previews, kbps (the synthesis default). */
const PREVIEW_OPUS_KBPS = 32;
/** Volume of previews (the synthesis default). */
const PREVIEW_VOLUME = 50;

/** Renders the preview of `text` at `msPerCharacter` per counted character. */
export function renderPreview(text: string, format: AudioFormat, sampleRate: number, msPerCharacter: number): Buffer {
  const synth = createAudioSynth({ format, sampleRate, bitRate: PREVIEW_OPUS_KBPS, volume: PREVIEW_VOLUME, pitch: 1 });
  const audio = Buffer.concat([...synth.render(countCharacters(text) * msPerCharacter, text), ...synth.finish()]);
  if (format === 'wav' && audio.length >= WAV_HEADER_SIZE) {
    audio.writeUInt32LE(audio.length - 8, 4);
    audio.writeUInt32LE(audio.length - WAV_HEADER_SIZE, 40);
  }
  return audio;
}
