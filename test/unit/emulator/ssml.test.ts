import { describe, expect, it } from 'vitest';
import { ssmlTextContent } from '../../../src/protocol/counting.js';
import { startsWithTag, parseBreakTime, parseSsml } from '../../../src/emulator/ssml.js';

describe('parseSsml: accepted documents', () => {
  it.each([
    ['<speak>你好</speak>', '你好', []],
    ['<speak rate="1.2" volume=\'60\'>Hi &amp; bye &#x4F60;</speak>', 'Hi & bye 你', []],
    ['<?xml version="1.0"?><speak>a</speak>', 'a', []],
    ['<speak>a</speak>\n<speak>b</speak>', 'a\nb', []],
    ['<speak>one<break time="500ms"/>two</speak>', 'onetwo', [{ offset: 3, ms: 500 }]],
    ['<speak>one <break time="2s"/><break time="1.5s"></break>two</speak>', 'one two', [{ offset: 4, ms: 3500 }]],
    ['<speak>x<break/>y</speak>', 'xy', [{ offset: 1, ms: 1000 }]],
    ['<speak>x<break time="8s"/><break time="8s"/>y</speak>', 'xy', [{ offset: 1, ms: 10000 }]],
    ['<speak><say-as interpret-as="digits">123</say-as><!-- note --><sub alias="W3C">World Wide Web</sub></speak>', '123World Wide Web', []],
    ['  <speak><![CDATA[a & b]]></speak>  ', '  a & b  ', []],
  ] as const)('%j', (input, text, breaks) => {
    expect(parseSsml(input)).toEqual({ text, breaks });
    expect(parseSsml(input)?.text).toBe(ssmlTextContent(input));
  });
});

describe('parseSsml: rejected input', () => {
  it.each([
    ['plain text', 'hello'],
    ['no speak root', '<p>hello</p>'],
    ['nested speak', '<speak><speak>a</speak></speak>'],
    ['unclosed', '<speak>a'],
    ['mismatched close', '<speak><sub alias="x">a</speak></sub>'],
    ['text outside the root', '<speak>a</speak> trailing'],
    ['bare ampersand', '<speak>Tom & Jerry</speak>'],
    ['unknown entity', '<speak>&nbsp;</speak>'],
    ['unquoted attribute', '<speak rate=1>a</speak>'],
    ['duplicate attribute', '<speak rate="1" rate="2">a</speak>'],
    ['bad break time', '<speak>a<break time="soon"/>b</speak>'],
    ['empty', ''],
  ])('%s', (_name, input) => {
    expect(parseSsml(input)).toBeUndefined();
  });
});

describe('helpers', () => {
  it.each([
    [undefined, 1000],
    ['250ms', 250],
    ['3s', 3000],
    ['0.5s', 500],
    ['5 minutes', undefined],
  ])('parseBreakTime(%j) = %j', (value, ms) => {
    expect(parseBreakTime(value)).toBe(ms);
  });

  it('sees SSML only when the text starts with a tag', () => {
    expect(startsWithTag('  <speak>a</speak>')).toBe(true);
    expect(startsWithTag('a < b')).toBe(false);
  });
});

describe('characters XML allows in text', () => {
  it.each([
    ['escaped >', '<speak>a &gt; b</speak>', 'a > b'],
    ['raw >', '<speak>a > b</speak>', 'a > b'],
    ['escaped <', '<speak>1 &lt; 2</speak>', '1 < 2'],
  ])('%s is accepted', (_name, input, text) => {
    expect(parseSsml(input)?.text).toBe(text);
  });
});
