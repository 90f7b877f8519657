import { describe, expect, it } from 'vitest';
import type { WordTimestamp } from '../../../src/protocol/messages.js';
import { sentenceDurationMs, sentenceWords } from '../../../src/emulator/timestamps.js';
import { buildCues } from '../../../src/subtitles/cues.js';
import { SubtitleTimeline } from '../../../src/subtitles/timeline.js';
import { serviceWords } from './fixtures.js';

/** One sentence as the service sends it: text, words on the task timeline, and its audio frames (ms each). */
interface SpokenSentence {
  text: string;
  words?: WordTimestamp[];
  frames: number[];
}

/** Feeds one task's events to a timeline, the way the runner yields them. */
function feedTask(timeline: SubtitleTimeline, sentences: readonly SpokenSentence[], trailingFrames: number[] = []): void {
  timeline.startTask();
  sentences.forEach((s, index) => {
    timeline.sentenceBegin({ index, text: s.text });
    for (const ms of s.frames) timeline.audio(1_000, ms);
    timeline.sentenceEnd({ index, text: s.text, words: s.words ?? [] });
  });
  for (const ms of trailingFrames) timeline.audio(500, ms);
  timeline.endTask();
}

/** A sentence spoken at 100 ms per code point from `startMs` of its task, in frames of at most 400 ms. */
function spoken(text: string, startMs: number, withWords = true): SpokenSentence {
  const total = Array.from(text).length * 100;
  const frames: number[] = [];
  for (let left = total; left > 0; left -= 400) frames.push(Math.min(400, left));
  return { text, words: withWords ? serviceWords(text, startMs) : [], frames };
}

describe('SubtitleTimeline: task rollover', () => {
  it("continues the second task's times after the first task's audio", () => {
    const timeline = new SubtitleTimeline('Hello there. How are you?');
    feedTask(timeline, [spoken('Hello there.', 0)], [250]); // 1200 ms of speech + 250 ms of trailing audio
    feedTask(timeline, [spoken('How are you?', 0)]);
    expect(timeline.durationMs).toBe(2_650);
    expect(timeline.audioBytes).toBe(3 * 1_000 + 500 + 3 * 1_000);
    expect(timeline.sentences()).toEqual([
      {
        index: 0,
        text: 'Hello there.',
        begin: 0,
        end: 1_100,
        words: [
          { text: 'Hello', begin: 0, end: 500 },
          { text: 'there', begin: 600, end: 1_100 },
        ],
      },
      {
        index: 1,
        text: 'How are you?',
        begin: 1_450,
        end: 2_550,
        words: [
          { text: 'How', begin: 1_450, end: 1_750 },
          { text: 'are', begin: 1_850, end: 2_150 },
          { text: 'you', begin: 2_250, end: 2_550 },
        ],
      },
    ]);
  });

  it('keeps task-timeline times of later sentences of a task', () => {
    const timeline = new SubtitleTimeline('One. Two.');
    feedTask(timeline, [spoken('One.', 0), spoken('Two.', 400)]);
    expect(timeline.sentences().map((s) => [s.begin, s.end])).toEqual([
      [0, 300],
      [400, 700],
    ]);
  });

  it('forgets a failed attempt, so the retry takes its place', () => {
    const timeline = new SubtitleTimeline('One. Two. Three.');
    feedTask(timeline, [spoken('One.', 0)]);
    timeline.startTask();
    timeline.sentenceBegin({ index: 0, text: 'Two.' });
    timeline.audio(1_000, 200);
    timeline.sentenceEnd({ index: 0, text: 'Two.', words: serviceWords('Two.') });
    timeline.sentenceBegin({ index: 1, text: 'Three.' });
    timeline.audio(1_000, 100);
    timeline.discardTask();
    expect(timeline.durationMs).toBe(400);
    expect(timeline.audioBytes).toBe(1_000);
    feedTask(timeline, [spoken('Two.', 0), spoken('Three.', 400)]);
    expect(timeline.sentences().map((s) => [s.text, s.begin, s.end])).toEqual([
      ['One.', 0, 300],
      ['Two.', 400, 700],
      ['Three.', 800, 1_300],
    ]);
  });

  it('takes word times that start before the sentence could as relative to the sentence', () => {
    const timeline = new SubtitleTimeline('First sentence. Second.');
    feedTask(timeline, [spoken('First sentence.', 0), spoken('Second.', 0)]);
    expect(timeline.sentences()[1]).toMatchObject({ text: 'Second.', begin: 1_500, end: 2_100 });
  });
});

describe('SubtitleTimeline: sentences without words', () => {
  it('times each sentence from the audio received between its begin and end', () => {
    const timeline = new SubtitleTimeline('Alpha. Beta gamma.');
    timeline.startTask();
    timeline.sentenceBegin({ index: 0, text: 'Alpha.' });
    timeline.audio(4_410, 100);
    timeline.audio(4_410, 100);
    timeline.audio(2_205, 50);
    timeline.sentenceEnd({ index: 0, text: 'Alpha.', words: [] });
    timeline.audio(8_820, 200); // between sentences: advances time, belongs to no sentence
    timeline.sentenceBegin({ index: 1, text: 'Beta gamma.' });
    timeline.audio(13_230, 300);
    timeline.sentenceEnd({ index: 1, text: 'Beta gamma.', words: [] });
    timeline.endTask();
    expect(timeline.sentences()).toEqual([
      { index: 0, text: 'Alpha.', begin: 0, end: 250, words: [] },
      { index: 1, text: 'Beta gamma.', begin: 450, end: 750, words: [] },
    ]);
  });

  it('continues across tasks, sums fractional frame durations, and closes a sentence left open', () => {
    const timeline = new SubtitleTimeline('One. Two. Three.');
    feedTask(timeline, [{ text: 'One.', frames: [26.12, 26.12, 26.12] }]);
    feedTask(timeline, [{ text: 'Two.', frames: [100] }]);
    timeline.startTask();
    timeline.sentenceBegin({ index: 0, text: 'Three.' });
    timeline.audio(new Uint8Array(10), 40);
    timeline.endTask();
    expect(timeline.sentences().map((s) => [s.text, s.begin, s.end])).toEqual([
      ['One.', 0, 78],
      ['Two.', 78, 178],
      ['Three.', 178, 218],
    ]);
    expect(timeline.audioBytes).toBe(4 * 1_000 + 10);
  });

  it('gives cues in the sentence fallback their sentence audio', () => {
    const timeline = new SubtitleTimeline('Short one. Another one.');
    feedTask(timeline, [spoken('Short one.', 0, false), spoken('Another one.', 1_000, false)]);
    const cues = buildCues(timeline.sentences(), { durationMs: timeline.durationMs });
    expect(cues.map((c) => [c.text, c.begin, c.end])).toEqual([
      ['Short one.', 0, 1_000],
      ['Another one.', 1_000, 2_200],
    ]);
  });
});

describe("SubtitleTimeline: alignment to the user's text", () => {
  it.each([
    ['case and doubled punctuation', 'HELLO, World!!', 'hello, world!', 'HELLO, World!!', ['HELLO', 'World']],
    ['full-width forms', 'ＡＢＣ ｎｅｗｓ。', 'ABC news。', 'ＡＢＣ ｎｅｗｓ。', ['ＡＢＣ', 'ｎｅｗｓ']],
    ['accents the service dropped', 'Café crème.', 'Cafe creme.', 'Café crème.', ['Café', 'crème']],
    ['line breaks and runs of spaces', 'Hello\n   there.', 'Hello there.', 'Hello\n   there.', ['Hello', 'there']],
    ['quotes the service dropped', '"Stop," he said.', 'Stop, he said.', '"Stop," he said.', ['Stop', 'he', 'said']],
    ['ellipsis normalised', 'Wait… what?', 'Wait... what?', 'Wait… what?', ['Wait', 'what']],
    ['CJK punctuation', '你好,世界!', '你好，世界！', '你好,世界!', ['你', '好', '世', '界']],
  ])('%s', (_name, user, service, text, words) => {
    const timeline = new SubtitleTimeline(user);
    feedTask(timeline, [{ text: service, words: serviceWords(service), frames: [5_000] }]);
    const [sentence] = timeline.sentences();
    expect(sentence?.text).toBe(text);
    expect(sentence?.words.map((w) => w.text)).toEqual(words);
  });

  it('finds words by their text when the indices do not hold it', () => {
    const timeline = new SubtitleTimeline('Hello brave world.');
    const words = serviceWords('hello brave world.').map((w) => ({ ...w, begin_index: 0, end_index: 1 }));
    feedTask(timeline, [{ text: 'hello brave world.', words, frames: [2_000] }]);
    expect(timeline.sentences()[0]?.words.map((w) => w.text)).toEqual(['Hello', 'brave', 'world']);
  });

  it("falls back to the service's text for a sentence it cannot place, and goes on aligning", () => {
    const user = 'First part. <speak>markup</speak> Third part!';
    const timeline = new SubtitleTimeline(user);
    feedTask(timeline, [
      { text: 'first part.', words: serviceWords('first part.'), frames: [1_100] },
      { text: 'Something else entirely.', words: serviceWords('Something else entirely.', 1_100), frames: [2_400] },
      { text: 'third part!', words: serviceWords('third part!', 3_500), frames: [1_100] },
    ]);
    expect(timeline.sentences().map((s) => s.text)).toEqual(['First part.', 'Something else entirely.', 'Third part!']);
    expect(timeline.sentences()[1]?.words.map((w) => w.text)).toEqual(['Something', 'else', 'entirely']);
  });

  it('takes repeated sentences in order and accepts text added later', () => {
    const timeline = new SubtitleTimeline('Again! ');
    timeline.addText('AGAIN! again!');
    feedTask(timeline, [spoken('again!', 0), spoken('again!', 600), spoken('again!', 1_200)]);
    expect(timeline.sentences().map((s) => s.text)).toEqual(['Again!', 'AGAIN!', 'again!']);
  });

  it('uses the service text without any user text', () => {
    const timeline = new SubtitleTimeline();
    feedTask(timeline, [spoken('Plain.', 0)]);
    expect(timeline.sentences()[0]?.text).toBe('Plain.');
  });
});

describe('SubtitleTimeline: times', () => {
  it('clamps to the audio duration and makes overlapping words monotonic', () => {
    const timeline = new SubtitleTimeline('One two three.');
    const words: WordTimestamp[] = [
      { text: 'One', begin_index: 0, end_index: 3, begin_time: 0, end_time: 500 },
      { text: 'two', begin_index: 4, end_index: 7, begin_time: 400, end_time: 900 },
      { text: 'three', begin_index: 8, end_index: 13, begin_time: 950, end_time: 1_600 },
    ];
    feedTask(timeline, [{ text: 'One two three.', words, frames: [700, 700.9] }]);
    expect(timeline.durationMs).toBeCloseTo(1_400.9);
    expect(timeline.sentences()[0]).toEqual({
      index: 0,
      text: 'One two three.',
      begin: 0,
      end: 1_400,
      words: [
        { text: 'One', begin: 0, end: 500 },
        { text: 'two', begin: 500, end: 900 },
        { text: 'three', begin: 950, end: 1_400 },
      ],
    });
    expect(timeline.sentences(1_000)[0]?.end).toBe(1_000);
  });

  it('never lets a cue end after the received audio', () => {
    const timeline = new SubtitleTimeline('Tick tock. Tick tock.');
    feedTask(timeline, [spoken('Tick tock.', 0), spoken('Tick tock.', 1_000)]);
    timeline.audio(0, -5); // a nonsense duration is ignored
    const cues = buildCues(timeline.sentences(1_900), { durationMs: 1_900, wordsPerCue: 1 });
    expect(Math.max(...cues.map((c) => c.end))).toBeLessThanOrEqual(1_900);
    expect(cues.map((c) => c.text)).toEqual(['Tick', 'tock.', 'Tick', 'tock.']);
  });
});

describe("SubtitleTimeline with the emulator's timestamps", () => {
  it('times words of a mixed-script two-task run on the output audio', () => {
    const tasks = [['Hello, 世界! ', 'It’s 3.14 o’clock.'], ['第二个任务。']];
    const timeline = new SubtitleTimeline(tasks.flat().join(' '));
    for (const task of tasks) {
      timeline.startTask();
      let start = 0;
      task.forEach((raw, index) => {
        const text = raw.trim();
        timeline.sentenceBegin({ index, text });
        timeline.audio(100, sentenceDurationMs(text, 50));
        timeline.sentenceEnd({ index, text, words: sentenceWords(text, start, 50) });
        start += sentenceDurationMs(text, 50);
      });
      timeline.endTask();
    }
    const sentences = timeline.sentences();
    expect(sentences.map((s) => [s.text, s.begin, s.end])).toEqual([
      // Han counts 2 at 50 ms per counted character; a sentence ends with its last word.
      ['Hello, 世界!', 0, 550],
      ['It’s 3.14 o’clock.', 600, 1_450], // its audio starts after the 600 ms of the first sentence
      ['第二个任务。', 1_500, 2_000], // task 2 starts after task 1's 1500 ms of audio
    ]);
    expect(sentences[1]?.words.map((w) => w.text)).toEqual(['It’s', '3', '14', 'o’clock']);
    // "3" and "14" are written together, so they make one piece (one karaoke word).
    const cues = buildCues(sentences, { durationMs: timeline.durationMs, wordsPerCue: 2 });
    expect(cues.map((c) => c.text)).toEqual(['Hello, 世', '界!', 'It’s 3.14', 'o’clock.', '第二', '个任', '务。']);
  });
});
