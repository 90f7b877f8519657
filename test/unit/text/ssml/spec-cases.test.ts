/**
 * The test cases of the SSML specification (shared/ssml.md §7–§9, copied here): every invalid case is rejected with
 * its rule at the right line and column, every valid edge case is accepted (with the warnings the spec names).
 */
import { describe, expect, it } from 'vitest';
import { validateSsml } from '../../../../src/text/ssml/validate.js';
import type { Finding, RuleId, SsmlContext } from '../../../../src/text/ssml/types.js';

const CONTEXT: SsmlContext = { source: 'test.ssml' };

function check(input: string, context: Partial<SsmlContext> = {}): Finding[] {
  return validateSsml(input, { ...CONTEXT, ...context }).findings;
}

/** §7: [spec number, input, rule, line, column, sample rate]. */
const INVALID: [string, string, RuleId, number, number, number?][] = [
  ['1', '<speak><speak>hi</speak></speak>', 'R-DOC-NEST', 1, 8],
  ['2', 'Hello <speak>world</speak>', 'R-DOC-TEXT-OUTSIDE', 1, 1],
  ['3', '<speak>Hello</speak> world', 'R-DOC-TEXT-OUTSIDE', 1, 22],
  ['4', '<speak>a</speak> and <speak>b</speak>', 'R-DOC-TEXT-OUTSIDE', 1, 18],
  ['5', '<speak>Hello', 'R-DOC-WELLFORMED', 1, 1],
  ['6', '<speak>Hello</Speak>', 'R-DOC-WELLFORMED', 1, 13],
  ['7 root', '<voice><speak>hi</speak></voice>', 'R-DOC-ROOT', 1, 1],
  ['7 element', '<voice><speak>hi</speak></voice>', 'R-DOC-ELEMENTS', 1, 1],
  ['8', '<break time="1s"/><speak>hi</speak>', 'R-DOC-CHILD', 1, 1],
  ['9', '<speak>Tom & Jerry</speak>', 'R-DOC-ESCAPE', 1, 12],
  ['10', '<speak>1 < 2</speak>', 'R-DOC-ESCAPE', 1, 10],
  ['11', '<speak>A&nbsp;B</speak>', 'R-DOC-ENTITY', 1, 9],
  ['12', '<speak bgm="https://b.oss.example/m.wav?a=1&b=2">x</speak>', 'R-DOC-ESCAPE', 1, 44],
  ['13', '<speak rate="1" rate="2">x</speak>', 'R-DOC-WELLFORMED', 1, 17],
  ['14', '<speak rate=2>x</speak>', 'R-DOC-WELLFORMED', 1, 13],
  ['15', '<speak></speak>', 'R-DOC-EMPTY', 1, 1],
  ['16', '<!DOCTYPE speak><speak>x</speak>', 'R-DOC-DOCTYPE', 1, 1],
  ['17', '<speak><emphasis>hi</emphasis></speak>', 'R-DOC-ELEMENTS', 1, 8],
  ['18', '<speak><prosody rate="fast">hi</prosody></speak>', 'R-DOC-ELEMENTS', 1, 8],
  ['19 s', '<speak><s>one</s><p>two</p></speak>', 'R-DOC-ELEMENTS', 1, 8],
  ['19 p', '<speak><s>one</s><p>two</p></speak>', 'R-DOC-ELEMENTS', 1, 18],
  ['20', '<speak><audio src="https://x/a.wav"/></speak>', 'R-DOC-ELEMENTS', 1, 8],
  ['21', '<speak>a<soundevent src="https://x/a.wav"/></speak>', 'R-DOC-ELEMENTS', 1, 9],
  ['22', '<speak speed="1.5">x</speak>', 'R-DOC-ATTRS', 1, 8],
  ['23', '<speak rate="2.5">x</speak>', 'R-SPK-RATE', 1, 14],
  ['24', '<speak rate="0.4">x</speak>', 'R-SPK-RATE', 1, 14],
  ['25', '<speak rate="200">x</speak>', 'R-SPK-RATE', 1, 14],
  ['26', '<speak pitch="-100">x</speak>', 'R-SPK-PITCH', 1, 15],
  ['27', '<speak rate="fast">x</speak>', 'R-SPK-RATE', 1, 14],
  ['28', '<speak volume="101">x</speak>', 'R-SPK-VOLUME', 1, 16],
  ['29', '<speak volume="50.5">x</speak>', 'R-SPK-VOLUME', 1, 16],
  ['30', '<speak voice="">x</speak>', 'R-SPK-VOICE', 1, 15],
  ['31', '<speak effect="reverb">x</speak>', 'R-SPK-EFFECT', 1, 16],
  ['32', '<speak effect="robot echo">x</speak>', 'R-SPK-EFFECT', 1, 16],
  ['33', '<speak effect="eq">x</speak>', 'R-SPK-EQ', 1, 16],
  ['34', '<speak effect="eq" effectValue="1 1 1 1 1 1 1">x</speak>', 'R-SPK-EQ', 1, 33],
  ['35', '<speak effect="eq" effectValue="0 0 0 0 0 0 0 21">x</speak>', 'R-SPK-EQ', 1, 47],
  ['36', '<speak effect="eq" effectValue="0 0 0 0 0 0 0 1.5">x</speak>', 'R-SPK-EQ', 1, 47],
  ['37', '<speak effect="eq" effectValue="0,0,0,0,0,0,0,0">x</speak>', 'R-SPK-EQ', 1, 34],
  ['38', '<speak effect="lpfilter" effectValue="0">x</speak>', 'R-SPK-FILTER', 1, 39],
  ['39', '<speak effect="hpfilter" effectValue="12000">x</speak>', 'R-SPK-FILTER', 1, 39, 22050],
  ['40', '<speak effect="lpfilter" effectValue="800.5">x</speak>', 'R-SPK-FILTER', 1, 39],
  ['41', '<speak effect="hpfilter">x</speak>', 'R-SPK-FILTER', 1, 16],
  ['42', '<speak bgm="">x</speak>', 'R-SPK-BGM', 1, 13],
  ['43', '<speak>a<break time="11s"/>b</speak>', 'R-BRK-TIME', 1, 22],
  ['44', '<speak>a<break time="0s"/>b</speak>', 'R-BRK-TIME', 1, 22],
  ['45', '<speak>a<break time="20ms"/>b</speak>', 'R-BRK-TIME', 1, 22],
  ['46', '<speak>a<break time="10001ms"/>b</speak>', 'R-BRK-TIME', 1, 22],
  ['47', '<speak>a<break time="1.5s"/>b</speak>', 'R-BRK-TIME', 1, 22],
  ['48', '<speak>a<break time="500"/>b</speak>', 'R-BRK-TIME', 1, 22],
  ['49 2S', '<speak>a<break time="2S"/>b</speak>', 'R-BRK-TIME', 1, 22],
  ['49 2 s', '<speak>a<break time="2 s"/>b</speak>', 'R-BRK-TIME', 1, 22],
  ['49 1min', '<speak>a<break time="1min"/>b</speak>', 'R-BRK-TIME', 1, 22],
  ['50', '<speak>a<break time="1s">wait</break>b</speak>', 'R-BRK-EMPTY', 1, 26],
  ['51', '<speak>a<break strength="strong"/>b</speak>', 'R-DOC-ATTRS', 1, 16],
  ['52', '<speak><sub>W3C</sub></speak>', 'R-SUB-ALIAS', 1, 8],
  ['53', '<speak><sub alias="">W3C</sub></speak>', 'R-SUB-ALIAS', 1, 20],
  ['54', '<speak><sub alias="web"><break/>W3C</sub></speak>', 'R-SUB-CONTENT', 1, 25],
  ['55', '<speak><phoneme alphabet="py" ph="ni3">你好</phoneme></speak>', 'R-PHN-PY-COUNT', 1, 35],
  ['56', '<speak><phoneme ph="ni3 hao3">你好</phoneme></speak>', 'R-PHN-ALPHA', 1, 8],
  ['57', '<speak><phoneme alphabet="py">你好</phoneme></speak>', 'R-PHN-PH', 1, 8],
  ['58', '<speak><phoneme alphabet="ipa" ph="naɪs">nice</phoneme></speak>', 'R-PHN-ALPHA', 1, 27],
  ['59', '<speak><phoneme alphabet="py" ph="ni3 hao6">你好</phoneme></speak>', 'R-PHN-PY-SYLLABLE', 1, 39],
  ['60 ni', '<speak><phoneme alphabet="py" ph="ni hao">你好</phoneme></speak>', 'R-PHN-PY-SYLLABLE', 1, 35],
  ['60 hao', '<speak><phoneme alphabet="py" ph="ni hao">你好</phoneme></speak>', 'R-PHN-PY-SYLLABLE', 1, 38],
  ['61', '<speak><phoneme alphabet="py" ph="hao3"><say-as interpret-as="name">好</say-as></phoneme></speak>', 'R-PHN-CONTENT', 1, 41],
  ['62', '<speak><phoneme alphabet="cmu" ph="S AY QQ">sin</phoneme></speak>', 'R-PHN-CMU', 1, 41],
  ['63', '<speak>meow<soundEvent/></speak>', 'R-SND-SRC', 1, 12],
  ['64', '<speak><soundEvent src="https://x/cat.wav">meow</soundEvent></speak>', 'R-SND-EMPTY', 1, 44],
  ['65', '<speak><say-as>123</say-as></speak>', 'R-SAY-IA', 1, 8],
  ['66', '<speak><say-as interpret-as="ordinal">3</say-as></speak>', 'R-SAY-IA', 1, 30],
  ['67', '<speak><say-as interpret-as="Date">2020</say-as></speak>', 'R-SAY-IA', 1, 30],
  ['68', '<speak><say-as interpret-as="date" format="mdy">11/20/2011</say-as></speak>', 'R-SAY-ATTRS', 1, 36],
  ['69', '<speak><say-as interpret-as="date">2020<break/></say-as></speak>', 'R-SAY-CONTENT', 1, 40],
  ['70', '<speak><say-as interpret-as="date">sat&sun</say-as></speak>', 'R-DOC-ESCAPE', 1, 39],
  ['71', '<speak><say-as interpret-as="cardinal"><say-as interpret-as="digits">1</say-as></say-as></speak>', 'R-SAY-CONTENT', 1, 40],
  ['72', '<speak><say-as interpret-as="id">a<vhml x="1"/></say-as></speak>', 'R-VHML', 1, 41],
];

describe('§7 invalid SSML: rejected with the rule and its location', () => {
  it.each(INVALID)('#%s %s → %s at %i:%i', (_n, input, rule, line, column, sampleRate) => {
    const findings = check(input, { sampleRate });
    expect(findings).toContainEqual(expect.objectContaining({ rule, severity: 'error', line, column }));
  });
});

describe('§7 context errors', () => {
  const DOC = '<speak>你好</speak>';
  it('C1: SSML planned for streaming is R-CTX-MODE', () => {
    expect(check(DOC, { mode: 'streaming' })).toContainEqual(expect.objectContaining({ rule: 'R-CTX-MODE', severity: 'error', line: 1, column: 1 }));
  });
  it('C3: model cosyvoice-v1 is R-CTX-MODEL', () => {
    expect(check(DOC, { model: 'cosyvoice-v1' })).toContainEqual(expect.objectContaining({ rule: 'R-CTX-MODEL', severity: 'error' }));
  });
  it('C4: a document above 20,000 counted characters is R-CTX-LEN, and so is one above 2,000 with tags (cosy refuses to split SSML)', () => {
    const big = `<speak>${'好'.repeat(10_001)}</speak>`;
    const findings = check(big);
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'R-CTX-LEN', severity: 'error', line: 1, column: 1 }));
    expect(findings.find((f) => f.rule === 'R-CTX-LEN')?.message).toContain("service's limit of 20,000");
    expect(check(`<speak>${'a'.repeat(1990)}<break time="1s"/></speak>`)).toContainEqual(expect.objectContaining({ rule: 'R-CTX-LEN', severity: 'error' }));
    expect(check(`<speak>${'a'.repeat(1980)}</speak>`).filter((f) => f.rule === 'R-CTX-LEN')).toEqual([]);
  });
  it('the request voice without SSML support is R-CTX-VOICE; capability checks are skipped when the caller made them', () => {
    expect(check(DOC, { model: 'cosyvoice-v2', voice: 'loongeva_v2' })).toContainEqual(expect.objectContaining({ rule: 'R-CTX-VOICE', severity: 'error' }));
    expect(check(DOC, { model: 'cosyvoice-v1', voice: 'loongeva_v2', requestChecked: true }).filter((f) => f.rule.startsWith('R-CTX'))).toEqual([]);
  });
});

/** §8: [spec number, input, warnings expected, sample rate]. */
const VALID: [string, string, RuleId[], number?][] = [
  ['1', '<speak>Hi</speak>', []],
  ['2 adjacent', '<speak>a</speak><speak>b</speak>', []],
  ['2 whitespace', '<speak>a</speak>\n  <speak>b</speak>\n', []],
  ['3', '<speak>Wait<break/>now</speak>', []],
  ['4', '<speak>a<break time="50ms"/>b<break time="10000ms"/>c<break time="1s"/>d<break time="10s"/>e</speak>', []],
  ['5', '<speak>a<break time="5s"/><break time="5s"/><break time="5s"/>b</speak>', ['R-BRK-SUM']],
  ['6 low', '<speak rate="0.5" pitch="2" volume="0">x</speak>', []],
  ['6 high', '<speak rate="2" pitch="0.5" volume="100">x</speak>', []],
  ['7', `<speak rate='1.25' volume = "80">x</speak>`, []],
  ['8', '<speak effect="eq" effectValue="-20 0 0 0 0 0 0 20">x</speak>', []],
  ['9', '<speak effect="lpfilter" effectValue="11025">x</speak>', [], 22050],
  ['10', '<speak>Tom &amp; Jerry say &quot;&lt;3&quot; &apos;n&apos; 3 > 2</speak>', ['R-DOC-ESCAPE']],
  ['11', '<speak>去<phoneme alphabet="py" ph="dian3 dang4 hang2">典当行</phoneme>吧<phoneme alphabet="py" ph="ma5">嘛</phoneme></speak>', []],
  ['12', '<speak>Say <phoneme alphabet="cmu" ph="S AY1 N">sin</phoneme></speak>', []],
  ['13', '<speak bgm="https://b.oss-cn-beijing.aliyuncs.com/m.wav?Expires=1&amp;Signature=x" backgroundMusicVolume="30" volume="40">x</speak>', []],
  ['14', '<speak><say-as interpret-as="telephone">+43-211-0567</say-as> or <say-as interpret-as="date">sat&amp;sun</say-as></speak>', []],
  ['15', '<speak><say-as interpret-as="date">10-01-2020</say-as> <say-as interpret-as="time">5:00am</say-as></speak>', ['R-SAY-FORMAT']],
  ['16', `<speak><sub alias="World Wide Web Consortium">W3C</sub> <say-as interpret-as="characters">*b+3$.c-0'=α</say-as></speak>`, []],
  ['17', '<speak voice="longcheng_v2">I am a male voice.</speak>', []],
  ['18', '<speak>A&#38;B</speak>', []],
];

describe('§8 valid edge cases: accepted', () => {
  it.each(VALID)('#%s %s', (_n, input, warnings, sampleRate) => {
    const findings = check(input, { sampleRate });
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(findings.filter((f) => f.severity === 'warning').map((f) => f.rule)).toEqual(warnings);
  });

  it('#17 with a v2 request: the voice override is a note, the voice is not questioned', () => {
    const findings = check('<speak voice="longcheng_v2">I am a male voice.</speak>', { model: 'cosyvoice-v2', voice: 'longxiaochun_v2' });
    expect(findings).toEqual([expect.objectContaining({ rule: 'R-SPK-OVERRIDE', severity: 'info', line: 1, column: 8 })]);
  });
});

/** §9: [what, input, rule, context]. */
const WARNINGS: [string, string, RuleId, Partial<SsmlContext>?][] = [
  ['say-as format', '<speak><say-as interpret-as="date">soon</say-as></speak>', 'R-SAY-FORMAT'],
  ['cardinal above 12 digits', '<speak><say-as interpret-as="cardinal">1234567890123</say-as></speak>', 'R-SAY-FORMAT'],
  ['cardinal with 11 decimals', '<speak><say-as interpret-as="cardinal">1.12345678901</say-as></speak>', 'R-SAY-FORMAT'],
  ['digits above 20', '<speak><say-as interpret-as="digits">123456789012345678901</say-as></speak>', 'R-SAY-FORMAT'],
  ['telephone with 6 groups', '<speak><say-as interpret-as="telephone">1-2-3-4-5-6</say-as></speak>', 'R-SAY-FORMAT'],
  ['address without Han', '<speak><say-as interpret-as="address">1 Main Street</say-as></speak>', 'R-SAY-FORMAT'],
  ['characters with emoji', '<speak><say-as interpret-as="characters">ab😀</say-as></speak>', 'R-SAY-FORMAT'],
  ['effectValue without effect', '<speak effectValue="3">x</speak>', 'R-SPK-EV-ORPHAN'],
  ['effectValue with a fixed effect', '<speak effect="robot" effectValue="3">x</speak>', 'R-SPK-EV-ORPHAN'],
  ['filter with the sample rate unknown', '<speak effect="lpfilter" effectValue="6000">x</speak>', 'R-SPK-FILTER'],
  ['backgroundMusicVolume not 0-100', '<speak bgm="https://x/m.wav" backgroundMusicVolume="loud">x</speak>', 'R-SPK-BMV'],
  ['backgroundMusicVolume without bgm', '<speak backgroundMusicVolume="30">x</speak>', 'R-SPK-BMV'],
  ['bgm not http(s)', '<speak bgm="ftp://x/m.wav">x</speak>', 'R-SPK-BGM'],
  ['src not http(s)', '<speak>a<soundEvent src="cat.wav"/></speak>', 'R-SND-SRC'],
  ['XML declaration', '<?xml version="1.0"?><speak>x</speak>', 'R-DOC-PROLOG'],
  ['comment', '<speak>x<!-- note --></speak>', 'R-DOC-PROLOG'],
  ['CDATA', '<speak><![CDATA[a & b]]></speak>', 'R-DOC-PROLOG'],
  ['processing instruction', '<speak>x<?app do?></speak>', 'R-DOC-PROLOG'],
  ['W3C boilerplate', '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">x</speak>', 'R-DOC-ATTRS'],
  ['vhml', '<speak><say-as interpret-as="id">a<vhml/></say-as></speak>', 'R-VHML'],
  ['vhml outside say-as', '<speak>a<vhml/></speak>', 'R-DOC-CHILD'],
  ['py with non-Han content', '<speak><phoneme alphabet="py" ph="a1">A</phoneme></speak>', 'R-PHN-PY-COUNT'],
  ['lowercase CMU phones', '<speak><phoneme alphabet="cmu" ph="s ay1 n">sin</phoneme></speak>', 'R-PHN-CMU'],
  ['only breaks', '<speak><break time="1s"/></speak>', 'R-DOC-EMPTY'],
  ['model v3.5', '<speak>x</speak>', 'R-CTX-MODEL', { model: 'cosyvoice-v3.5-flash' }],
  ['unknown model', '<speak>x</speak>', 'R-CTX-MODEL', { model: 'cosyvoice-v9' }],
  ['voice of another model on <speak>', '<speak voice="longxiaochun_v2">x</speak>', 'R-SPK-VOICE', { model: 'cosyvoice-v3-flash' }],
  ['leading zeros in break time', '<speak>a<break time="0500ms"/>b</speak>', 'R-BRK-TIME'],
  ['empty sub', '<speak>a<sub alias="b"></sub></speak>', 'R-SUB-CONTENT'],
  ['empty say-as', '<speak>a<say-as interpret-as="name"></say-as></speak>', 'R-SAY-EMPTY'],
];

describe('§9 warnings: accepted but reported', () => {
  it.each(WARNINGS)('%s', (_what, input, rule, context) => {
    const findings = check(input, context);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(findings).toContainEqual(expect.objectContaining({ rule, severity: 'warning' }));
  });
});

describe('notes for --verbose', () => {
  it.each([
    ['rate override', '<speak rate="1.5">x</speak>', 'R-SPK-OVERRIDE'],
    ['effect latency', '<speak effect="echo">x</speak>', 'R-SPK-EFFECT'],
    ['bgm audio requirements', '<speak bgm="https://x/m.wav">x</speak>', 'R-SPK-BGM'],
    ['sound file requirements', '<speak>a<soundEvent src="https://x/a.wav"/></speak>', 'R-SND-SRC'],
  ] as const)('%s', (_what, input, rule) => {
    expect(check(input)).toContainEqual(expect.objectContaining({ rule, severity: 'info' }));
  });
});
