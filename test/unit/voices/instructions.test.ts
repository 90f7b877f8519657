import { describe, expect, it, vi } from 'vitest';
import { findSystemVoice, SYSTEM_VOICES } from '../../../src/voices/catalogue.js';
import type { InstructForm, SystemVoice } from '../../../src/voices/catalogue.js';
import {
  customVoiceTargetModel,
  describeForm,
  fillTemplate,
  matchInstruction,
} from '../../../src/voices/instructions.js';

const FLASH = 'cosyvoice-v3-flash';
const PLUS = 'cosyvoice-v3-plus';

/** The catalogue entry, failing the test when it is missing. */
function voiceOf(model: string, voice: string): SystemVoice {
  const found = findSystemVoice(model, voice);
  if (found === undefined) throw new Error(`no ${model} ${voice} in the catalogue`);
  return found;
}

/** Every instruction a form allows, built here independently of the module: each combination of its values. */
function allInstructions(form: InstructForm): string[] {
  let texts = [form.template];
  for (const [placeholder, values] of Object.entries(form.values)) {
    texts = texts.flatMap((t) => values.map((v) => t.replace(`<${placeholder}>`, v)));
  }
  return texts;
}

describe('matchInstruction', () => {
  it.each([
    // longanyang, both models: four forms, role template with 现在
    { model: FLASH, voice: 'longanyang', text: '你说话的情感是happy。', kind: 'EMOTION', values: { 情感值: 'happy' } },
    { model: FLASH, voice: 'longanyang', text: '你正在进行新闻播报，你说话的情感是neutral。', kind: 'SCENE+EMOTION', values: { 场景: '新闻播报', 情感值: 'neutral' } },
    { model: FLASH, voice: 'longanyang', text: '你现在说话的角色是一个旁白，你说话的情感是sad。', kind: 'ROLE+EMOTION', values: { 角色: '一个旁白', 情感值: 'sad' } },
    { model: FLASH, voice: 'longanyang', text: '你正在以一个故事机的身份说话，你说话的情感是surprised。', kind: 'IDENTITY+EMOTION', values: { 身份: '故事机', 情感值: 'surprised' } },
    { model: PLUS, voice: 'longanyang', text: '你说话的情感是disgusted。', kind: 'EMOTION', values: { 情感值: 'disgusted' } },
    { model: PLUS, voice: 'longanyang', text: '你正在进行一些儿童内容解说，你说话的情感是fearful。', kind: 'SCENE+EMOTION', values: { 场景: '一些儿童内容解说', 情感值: 'fearful' } },
    { model: PLUS, voice: 'longanyang', text: '你现在说话的角色是一个旁白，你说话的情感是angry。', kind: 'ROLE+EMOTION', values: { 角色: '一个旁白', 情感值: 'angry' } },
    { model: PLUS, voice: 'longanyang', text: '你正在以一个故事机的身份说话，你说话的情感是happy。', kind: 'IDENTITY+EMOTION', values: { 身份: '故事机', 情感值: 'happy' } },
    // longanhuan: three forms, role template without 现在; the v3-flash scene list is longer
    { model: FLASH, voice: 'longanhuan', text: '你说话的情感是angry。', kind: 'EMOTION', values: { 情感值: 'angry' } },
    { model: FLASH, voice: 'longanhuan', text: '你正在进行课堂教学，你说话的情感是happy。', kind: 'SCENE+EMOTION', values: { 场景: '课堂教学', 情感值: 'happy' } },
    { model: FLASH, voice: 'longanhuan', text: '你说话的角色是温和客服，你说话的情感是neutral。', kind: 'ROLE+EMOTION', values: { 角色: '温和客服', 情感值: 'neutral' } },
    { model: PLUS, voice: 'longanhuan', text: '你说话的情感是sad。', kind: 'EMOTION', values: { 情感值: 'sad' } },
    { model: PLUS, voice: 'longanhuan', text: '你正在进行闲聊对话，你说话的情感是angry。', kind: 'SCENE+EMOTION', values: { 场景: '闲聊对话', 情感值: 'angry' } },
    { model: PLUS, voice: 'longanhuan', text: '你说话的角色是温和客服，你说话的情感是surprised。', kind: 'ROLE+EMOTION', values: { 角色: '温和客服', 情感值: 'surprised' } },
    // longanhuan_v3: the dialect form only
    { model: FLASH, voice: 'longanhuan_v3', text: '请用四川话表达。', kind: 'DIALECT', values: { 方言: '四川话' } },
    { model: FLASH, voice: 'longanhuan_v3', text: '请用普通话表达。', kind: 'DIALECT', values: { 方言: '普通话' } },
    // longhuhu_v3: four forms
    { model: FLASH, voice: 'longhuhu_v3', text: '你说话的情感是fearful。', kind: 'EMOTION', values: { 情感值: 'fearful' } },
    { model: FLASH, voice: 'longhuhu_v3', text: '你正在进行广告促销，你说话的情感是happy。', kind: 'SCENE+EMOTION', values: { 场景: '广告促销', 情感值: 'happy' } },
    { model: FLASH, voice: 'longhuhu_v3', text: '你说话的角色是小猪佩奇，你说话的情感是happy。', kind: 'ROLE+EMOTION', values: { 角色: '小猪佩奇', 情感值: 'happy' } },
    { model: FLASH, voice: 'longhuhu_v3', text: '你正在以一个儿童玩具的身份说话，你说话的情感是neutral。', kind: 'IDENTITY+EMOTION', values: { 身份: '儿童玩具', 情感值: 'neutral' } },
  ])('$model $voice accepts 「$text」 as $kind', ({ model, voice, text, kind, values }) => {
    const result = matchInstruction(voiceOf(model, voice), text);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.form.kind).toBe(kind);
      expect(result.values).toEqual(values);
    }
  });

  it.each(SYSTEM_VOICES.filter((v) => v.instruct).map((v) => ({ model: v.model, voice: v.voice, v })))(
    '$model $voice accepts every combination of the values of every form',
    ({ v }) => {
      for (const form of v.instructForms) {
        for (const text of allInstructions(form)) {
          const result = matchInstruction(v, text);
          expect(result.ok ? result.form.kind : text).toBe(form.kind);
        }
      }
    },
  );

  it.each([
    // the final 。 and the other punctuation must be exact
    { model: FLASH, voice: 'longanyang', text: '你说话的情感是happy', why: 'missing final 。' },
    { model: PLUS, voice: 'longanyang', text: '你正在进行新闻播报，你说话的情感是neutral', why: 'missing final 。' },
    { model: FLASH, voice: 'longanyang', text: '你现在说话的角色是一个旁白，你说话的情感是sad', why: 'missing final 。' },
    { model: FLASH, voice: 'longanyang', text: '你正在以一个故事机的身份说话，你说话的情感是happy', why: 'missing final 。' },
    { model: FLASH, voice: 'longanhuan_v3', text: '请用四川话表达', why: 'missing final 。' },
    { model: FLASH, voice: 'longhuhu_v3', text: '你说话的角色是机器人，你说话的情感是happy', why: 'missing final 。' },
    { model: FLASH, voice: 'longanyang', text: '你说话的情感是happy.', why: 'ASCII full stop' },
    { model: FLASH, voice: 'longanyang', text: '你正在进行新闻播报,你说话的情感是neutral。', why: 'ASCII comma' },
    { model: FLASH, voice: 'longanyang', text: '你说话的情感是happy。 ', why: 'trailing space' },
    { model: FLASH, voice: 'longanyang', text: ' 你说话的情感是happy。', why: 'leading space' },
    { model: FLASH, voice: 'longanyang', text: '你说话的情感是happy。。', why: 'doubled 。' },
    { model: FLASH, voice: 'longanyang', text: '', why: 'empty instruction' },
    { model: FLASH, voice: 'longanyang', text: '你说话的情感是<情感值>。', why: 'unfilled placeholder' },
    { model: FLASH, voice: 'longanyang', text: '你说话的情感是happy。你说话的情感是sad。', why: 'two instructions' },
    // wrong values
    { model: FLASH, voice: 'longanyang', text: '你说话的情感是joyful。', why: 'unknown emotion' },
    { model: FLASH, voice: 'longanyang', text: '你说话的情感是Happy。', why: 'emotion in another case' },
    { model: FLASH, voice: 'longanyang', text: '你说话的情感是开心。', why: 'emotion in Chinese' },
    { model: FLASH, voice: 'longanyang', text: '你说话的情感是happysad。', why: 'two emotions' },
    { model: FLASH, voice: 'longanyang', text: '你正在进行新闻，你说话的情感是neutral。', why: 'truncated scene' },
    { model: FLASH, voice: 'longanhuan_v3', text: '请用闽南话表达。', why: 'dialect not listed' },
    { model: FLASH, voice: 'longanhuan_v3', text: '请用粤语表达。', why: 'Cantonese not in the words the list uses' },
    // values and templates of another voice or model
    { model: FLASH, voice: 'longanyang', text: '你现在说话的角色是温和客服，你说话的情感是happy。', why: "longanhuan's role" },
    { model: FLASH, voice: 'longanyang', text: '你正在进行课堂教学，你说话的情感是happy。', why: "longanhuan's scene" },
    { model: FLASH, voice: 'longanyang', text: '你说话的角色是一个旁白，你说话的情感是happy。', why: "longanhuan's role template (no 现在)" },
    { model: FLASH, voice: 'longanhuan', text: '你现在说话的角色是温和客服，你说话的情感是happy。', why: "longanyang's role template (现在)" },
    { model: FLASH, voice: 'longanhuan', text: '你正在以一个故事机的身份说话，你说话的情感是happy。', why: 'identity form of another voice' },
    { model: FLASH, voice: 'longanhuan', text: '你正在进行闲聊互动，你说话的情感是happy。', why: "longanyang's scene spelling" },
    { model: PLUS, voice: 'longanhuan', text: '你正在进行课堂教学，你说话的情感是happy。', why: 'v3-flash-only scene' },
    { model: PLUS, voice: 'longanhuan', text: '你正在进行剧情解说，你说话的情感是happy。', why: 'v3-flash-only scene' },
    { model: PLUS, voice: 'longanhuan', text: '你正在进行闲聊互动，你说话的情感是happy。', why: "the doc example's spelling, not the listed scene" },
    { model: FLASH, voice: 'longhuhu_v3', text: '你说话的角色是一个旁白，你说话的情感是happy。', why: "longanyang's role" },
    { model: FLASH, voice: 'longhuhu_v3', text: '你正在进行新闻播报，你说话的情感是happy。', why: "longanyang's scene" },
    { model: FLASH, voice: 'longanhuan_v3', text: '你说话的情感是happy。', why: 'emotion form of another voice' },
    { model: FLASH, voice: 'longanyang', text: '请用四川话表达。', why: "longanhuan_v3's dialect form" },
  ])('$model $voice rejects 「$text」 ($why)', ({ model, voice, text }) => {
    const v = voiceOf(model, voice);
    const result = matchInstruction(v, text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.accepted).toEqual(v.instructForms.map(describeForm));
  });

  it.each([
    { model: FLASH, voice: 'longxiaochun_v3' },
    { model: 'cosyvoice-v2', voice: 'longxiaochun_v2' },
    { model: 'cosyvoice-v1', voice: 'longxiaochun' },
  ])('$model $voice takes no instruction at all', ({ model, voice }) => {
    expect(matchInstruction(voiceOf(model, voice), '你说话的情感是happy。')).toEqual({ ok: false, accepted: [] });
  });

  it('lists the accepted forms with their values and glosses', () => {
    const result = matchInstruction(voiceOf(FLASH, 'longanhuan_v3'), '请用闽南话表达。');
    expect(result).toEqual({
      ok: false,
      accepted: [
        'DIALECT 「请用<方言>表达。」 where <方言> = 普通话 (Mandarin) | 广东话 (Cantonese) | 东北话 (Northeastern) | ' +
          '河南话 (Henan) | 湖南话 (Hunan) | 陕西话 (Shaanxi) | 山东话 (Shandong) | 四川话 (Sichuan) | 安徽话 (Anhui)',
      ],
    });
  });
});

describe('describeForm', () => {
  it.each([
    {
      voice: 'longhuhu_v3',
      index: 0,
      text: 'EMOTION 「你说话的情感是<情感值>。」 where <情感值> = neutral | fearful | angry | sad | surprised | happy | disgusted',
    },
    {
      voice: 'longhuhu_v3',
      index: 1,
      text:
        'SCENE+EMOTION 「你正在进行<场景>，你说话的情感是<情感值>。」 where <场景> = 自由对话 (free conversation) | ' +
        '广告促销 (ad promotion); <情感值> = neutral | fearful | angry | sad | surprised | happy | disgusted',
    },
    {
      voice: 'longanyang',
      index: 3,
      text:
        'IDENTITY+EMOTION 「你正在以一个<身份>的身份说话，你说话的情感是<情感值>。」 where <身份> = 故事机 (story machine); ' +
        '<情感值> = neutral | fearful | angry | sad | surprised | happy | disgusted',
    },
  ])('describes form $index of $voice', ({ voice, index, text }) => {
    const form = voiceOf(FLASH, voice).instructForms[index];
    expect(form && describeForm(form)).toBe(text);
  });
});

describe('fillTemplate', () => {
  const sceneForm = voiceOf(FLASH, 'longanyang').instructForms[1];
  it.each<{ values: Record<string, string>; text: string }>([
    { values: { 场景: '语音导航', 情感值: 'happy' }, text: '你正在进行语音导航，你说话的情感是happy。' },
    { values: { 场景: '语音导航' }, text: '你正在进行语音导航，你说话的情感是<情感值>。' },
    { values: {}, text: '你正在进行<场景>，你说话的情感是<情感值>。' },
  ])('fills $values', ({ values, text }) => {
    expect(sceneForm && fillTemplate(sceneForm, values)).toBe(text);
  });
});

describe('customVoiceTargetModel', () => {
  it.each([
    // cloned voices: {target_model}-{prefix}-{unique}
    { id: 'cosyvoice-v2-prefix-5ca2bc9e87c0436a85ae8dafe6cbad00', expected: { targetModel: 'cosyvoice-v2', prefix: 'prefix', designed: false } },
    { id: 'cosyvoice-v1-abc-0123', expected: { targetModel: 'cosyvoice-v1', prefix: 'abc', designed: false } },
    { id: 'cosyvoice-v3-flash-narrator1-f9d115bf', expected: { targetModel: 'cosyvoice-v3-flash', prefix: 'narrator1', designed: false } },
    { id: 'cosyvoice-v3-plus-narrator1-abc123', expected: { targetModel: 'cosyvoice-v3-plus', prefix: 'narrator1', designed: false } },
    { id: 'cosyvoice-v3.5-plus-narrator1-abc123', expected: { targetModel: 'cosyvoice-v3.5-plus', prefix: 'narrator1', designed: false } },
    { id: 'cosyvoice-v3.5-flash-leo-f9d115bfdf2346edbeb9d21ecd4f9ce9', expected: { targetModel: 'cosyvoice-v3.5-flash', prefix: 'leo', designed: false } },
    // a clone whose prefix happens to be "vd" has only two parts after the model
    { id: 'cosyvoice-v3-plus-vd-abc123', expected: { targetModel: 'cosyvoice-v3-plus', prefix: 'vd', designed: false } },
    // designed voices: {target_model}-vd-{prefix}-{unique}
    { id: 'cosyvoice-v3.5-plus-vd-anchor-0a1b2c', expected: { targetModel: 'cosyvoice-v3.5-plus', prefix: 'anchor', designed: true } },
    { id: 'cosyvoice-v3.5-flash-vd-anchor-0a1b2c', expected: { targetModel: 'cosyvoice-v3.5-flash', prefix: 'anchor', designed: true } },
    { id: 'cosyvoice-v3-flash-vd-anchor-0a1b2c', expected: { targetModel: 'cosyvoice-v3-flash', prefix: 'anchor', designed: true } },
    { id: 'cosyvoice-v3-plus-vd-vd-0a1b2c', expected: { targetModel: 'cosyvoice-v3-plus', prefix: 'vd', designed: true } },
    // garbage and near misses
    { id: '', expected: undefined },
    { id: 'longanyang', expected: undefined },
    { id: 'cosyvoice-v3-plus', expected: undefined },
    { id: 'cosyvoice-v3-plus-', expected: undefined },
    { id: 'cosyvoice-v3-plus-abc', expected: undefined },
    { id: 'cosyvoice-v3-plus-abc-', expected: undefined },
    { id: 'cosyvoice-v3-plus--abc', expected: undefined },
    { id: 'cosyvoice-v3-plus-vd-abc-', expected: undefined },
    { id: 'cosyvoice-v3-plus-xy-abc-123', expected: undefined },
    { id: 'cosyvoice-v3-plus-vd-a-b-c', expected: undefined },
    { id: 'cosyvoice-v3-plus-my_voice-abc', expected: undefined },
    { id: 'cosyvoice-v3-plus-MyVoice-abc', expected: undefined },
    { id: 'cosyvoice-v3-plus-my voice-abc', expected: undefined },
    { id: 'cosyvoice-v4-plus-abc-123', expected: undefined },
    { id: 'cosyvoice-v3.5-abc-123', expected: undefined }, // not a known model id
    { id: 'cosyvoice-abc-5ca2bc9e87c0436a85ae8dafe6cbad00', expected: undefined }, // old v1 shape, unconfirmed
    { id: 'xcosyvoice-v2-abc-123', expected: undefined },
    { id: 'COSYVOICE-V2-abc-123', expected: undefined },
  ])('$id → $expected', ({ id, expected }) => {
    expect(customVoiceTargetModel(id)).toEqual(expected);
  });

  it.each([
    { id: 'cosyvoice-v3.5-plus-abc-123', expected: { targetModel: 'cosyvoice-v3.5-plus', prefix: 'abc', designed: false } },
    { id: 'cosyvoice-v3.5-plus-vd-abc-123', expected: { targetModel: 'cosyvoice-v3.5-plus', prefix: 'abc', designed: true } },
    { id: 'cosyvoice-v3.5-abc-123', expected: { targetModel: 'cosyvoice-v3.5', prefix: 'abc', designed: false } },
    // the longest model id wins even when the rest then does not parse: no fallback to "v3.5" with prefix "plus"
    { id: 'cosyvoice-v3.5-plus-abc123', expected: undefined },
  ])('with model ids where one prefixes another, reads $id as $expected', async ({ id, expected }) => {
    vi.resetModules();
    // a shorter id listed first, so that taking the first id that fits would misread the v3.5-plus voices
    vi.doMock('../../../src/protocol/models.js', () => ({ MODEL_IDS: ['cosyvoice-v3.5', 'cosyvoice-v3.5-plus'] }));
    try {
      const fresh = await import('../../../src/voices/instructions.js');
      expect(fresh.customVoiceTargetModel(id)).toEqual(expected);
    } finally {
      vi.doUnmock('../../../src/protocol/models.js');
      vi.resetModules();
    }
  });
});
