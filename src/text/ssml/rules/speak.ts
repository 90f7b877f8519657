/**
 * `<speak>` attributes (specification §3.1): voice, rate, pitch, volume, effect with effectValue, bgm and
 * backgroundMusicVolume; the overrides of request parameters (§5); and a speak with nothing to say (R-DOC-EMPTY).
 */
import { own } from '../../../own.js';
import { findSystemVoice, modelsOfVoice } from '../../../voices/catalogue.js';
import { customVoiceTargetModel } from '../../../voices/instructions.js';
import { EFFECTS } from '../schema.js';
import { attributeOf, type SsmlAttribute, type SsmlElement, type SsmlNode } from '../tree.js';
import type { Report, RuleId, SsmlContext } from '../types.js';
import { checkUrl, offsetIn, quoted, tokensOf } from './values.js';

/** Bands of the eq effect, in order. */
const EQ_BANDS = [40, 100, 200, 400, 800, 1600, 4000, 12000] as const;
/** Half the highest sample rate: the largest filter frequency any output allows. */
const MAX_FILTER_HZ = 24_000;
/** Half the lowest sample rate: a filter frequency every output allows. */
const SAFE_FILTER_HZ = 4_000;
/** The request parameter each `<speak>` attribute overrides, as a cosy option. */
const OVERRIDES: Readonly<Record<string, string>> = { voice: '--voice', rate: '--rate', pitch: '--pitch', volume: '--volume' };

/** Checks a `<speak>` element's attributes and whether it has anything to say. */
export function checkSpeak(element: SsmlElement, context: SsmlContext, report: Report): void {
  for (const attribute of element.attributes) {
    if (!attribute.wellFormed) continue;
    const option = own(OVERRIDES, attribute.name);
    if (option !== undefined) {
      report('R-SPK-OVERRIDE', 'info', attribute.nameOffset, `${attribute.name}=${quoted(attribute.value)} overrides the request's ${attribute.name} (${option}) for this <speak>`);
    }
    switch (attribute.name) {
      case 'voice':
        checkVoice(attribute, context, report);
        break;
      case 'rate':
        checkFactor(attribute, 'R-SPK-RATE', 'speaking rate', report);
        break;
      case 'pitch':
        checkFactor(attribute, 'R-SPK-PITCH', 'pitch', report);
        break;
      case 'volume':
        checkVolume(attribute, report);
        break;
      case 'bgm':
        if (checkUrl(attribute, 'R-SPK-BGM', report)) {
          report('R-SPK-BGM', 'info', attribute.valueOffset, 'background music must be a WAV file (16 kHz, mono, 16-bit) in a public-read OSS bucket; it loops when the speech is longer; you bear copyright responsibility');
        }
        break;
      case 'backgroundMusicVolume':
        checkMusicVolume(attribute, element, report);
        break;
      default:
        break;
    }
  }
  checkEffect(element, context, report);
  checkEmpty(element, report);
}

function checkVoice(attribute: SsmlAttribute, context: SsmlContext, report: Report): void {
  const voice = attribute.value.trim();
  if (voice === '') {
    report('R-SPK-VOICE', 'error', attribute.valueOffset, 'voice is empty: give a voice id or remove the attribute');
    return;
  }
  const model = context.model;
  if (model === undefined) return;
  const custom = customVoiceTargetModel(voice);
  const models = modelsOfVoice(voice);
  if (custom !== undefined && custom.targetModel !== model) {
    report('R-SPK-VOICE', 'warning', attribute.valueOffset, `voice ${voice} was created for ${custom.targetModel}, but the request uses ${model}: a voice works only with its own model`);
  } else if (custom === undefined && models.length > 0 && !models.includes(model)) {
    report('R-SPK-VOICE', 'warning', attribute.valueOffset, `${voice} is a voice of ${models.join(', ')}, not of ${model}: each model takes only its own voices`);
  }
  const system = findSystemVoice(model, voice);
  if (system !== undefined && !system.ssml) {
    report('R-CTX-VOICE', 'error', attribute.valueOffset, `voice ${voice} does not support SSML on ${model} (see \`cosy voices --ssml\`)`);
  }
}

/** rate and pitch: a plain decimal from 0.5 to 2. */
function checkFactor(attribute: SsmlAttribute, rule: RuleId, what: string, report: Report): void {
  const value = attribute.value.trim();
  const range = `write a factor from 0.5 to 2 (1 = normal ${what})`;
  const at = attribute.valueOffset;
  const name = attribute.name;
  if (!/^\d+(\.\d+)?$/u.test(value)) {
    if (/%$/u.test(value)) report(rule, 'error', at, `${name} ${quoted(value)}: percentages are not accepted; ${range}`);
    else if (/^-\d+(\.\d+)?$/u.test(value)) report(rule, 'error', at, `${name} ${quoted(value)} is negative (the legacy -500…500 scale is not CosyVoice's): ${range}`);
    else report(rule, 'error', at, `${name} ${quoted(value)} is not a number: ${range}`);
    return;
  }
  const n = Number(value);
  if (n >= 0.5 && n <= 2) return;
  const legacy = Number.isInteger(n) && n > 10 ? ' (this looks like the legacy -500…500 scale)' : '';
  report(rule, 'error', at, `${name} ${quoted(value)} is ${n < 0.5 ? 'below 0.5' : 'above 2'}${legacy}: ${range}`);
}

function checkVolume(attribute: SsmlAttribute, report: Report): void {
  const value = attribute.value.trim();
  if (!/^\d+$/u.test(value)) {
    report('R-SPK-VOLUME', 'error', attribute.valueOffset, `volume ${quoted(value)} must be a whole number from 0 to 100 (50 = normal)`);
  } else if (Number(value) > 100) {
    report('R-SPK-VOLUME', 'error', attribute.valueOffset, `volume ${quoted(value)} is above 100: write a whole number from 0 to 100 (50 = normal)`);
  }
}

function checkMusicVolume(attribute: SsmlAttribute, element: SsmlElement, report: Report): void {
  const value = attribute.value.trim();
  if (!/^\d+$/u.test(value) || Number(value) > 100) {
    report('R-SPK-BMV', 'warning', attribute.valueOffset, `backgroundMusicVolume ${quoted(value)}: the documentation gives no range; a whole number from 0 to 100, like volume, is the safe reading`);
  }
  if (attributeOf(element, 'bgm') === undefined) {
    report('R-SPK-BMV', 'warning', attribute.nameOffset, 'backgroundMusicVolume without bgm has no music to set the volume of');
  }
}

function checkEffect(element: SsmlElement, context: SsmlContext, report: Report): void {
  const effect = attributeOf(element, 'effect');
  const effectValue = attributeOf(element, 'effectValue');
  const value = effect?.wellFormed === true ? effect.value.trim() : undefined;
  if (effect !== undefined && value !== undefined) {
    if (!EFFECTS.includes(value)) {
      const parts = value.split(/[\s,;+]+/u).filter((p) => p !== '');
      let message = `effect ${quoted(value)} is not an effect: write one of ${EFFECTS.join(', ')}`;
      if (parts.length > 1 && parts.every((p) => EFFECTS.includes(p.toLowerCase()))) message = `effect ${quoted(value)}: a <speak> takes only one effect; choose one of ${parts.join(', ')}`;
      else if (EFFECTS.includes(value.toLowerCase())) message = `effect ${quoted(value)}: effects are lowercase; write ${value.toLowerCase()}`;
      report('R-SPK-EFFECT', 'error', effect.valueOffset, message);
      return;
    }
    report('R-SPK-EFFECT', 'info', effect.valueOffset, `the ${value} effect adds latency before the first audio`);
  }
  if (value === 'eq') {
    if (effectValue === undefined) report('R-SPK-EQ', 'error', effect?.valueOffset ?? element.start, 'effect="eq" needs effectValue: 8 gains from -20 to 20, e.g. effectValue="0 0 0 0 0 0 0 0"');
    else if (effectValue.wellFormed) checkEq(effectValue, report);
  } else if (value === 'lpfilter' || value === 'hpfilter') {
    if (effectValue === undefined) report('R-SPK-FILTER', 'error', effect?.valueOffset ?? element.start, `effect="${value}" needs effectValue: the cut-off frequency in Hz, e.g. effectValue="800"`);
    else if (effectValue.wellFormed) checkFilter(effectValue, value, context, report);
  } else if (effectValue !== undefined) {
    const why = value === undefined ? 'there is no effect' : `the ${value} effect takes none`;
    report('R-SPK-EV-ORPHAN', 'warning', effectValue.nameOffset, `effectValue is ignored: ${why} (only eq, lpfilter and hpfilter take a value)`);
  }
}

function checkEq(attribute: SsmlAttribute, report: Report): void {
  const value = attribute.value;
  if (value.includes(',')) {
    report('R-SPK-EQ', 'error', offsetIn(attribute, value.indexOf(',')), 'separate the 8 eq gains with spaces, not commas');
    return;
  }
  const tokens = tokensOf(value);
  tokens.forEach(({ token, index }, band) => {
    const at = offsetIn(attribute, index);
    const hz = EQ_BANDS[band];
    const label = hz === undefined ? '' : ` (${hz} Hz band)`;
    if (!/^-?\d+$/u.test(token)) {
      report('R-SPK-EQ', 'error', at, `eq gain ${quoted(token)}${label} must be a whole number from -20 to 20`);
    } else if (Math.abs(Number(token)) > 20) {
      report('R-SPK-EQ', 'error', at, `eq gain ${token}${label} is outside -20…20`);
    }
  });
  if (tokens.length !== 8) {
    report('R-SPK-EQ', 'error', attribute.valueOffset, `eq takes exactly 8 gains (for ${EQ_BANDS.join(', ')} Hz); found ${tokens.length}`);
  }
}

function checkFilter(attribute: SsmlAttribute, effect: string, context: SsmlContext, report: Report): void {
  const value = attribute.value.trim();
  const at = attribute.valueOffset;
  if (!/^\d+$/u.test(value)) {
    report('R-SPK-FILTER', 'error', at, `${effect} frequency ${quoted(value)} must be a whole number of Hz`);
    return;
  }
  const hz = Number(value);
  if (hz <= 0) {
    report('R-SPK-FILTER', 'error', at, `${effect} frequency must be above 0 Hz`);
    return;
  }
  const rate = context.sampleRate;
  if (rate !== undefined) {
    if (hz > rate / 2) report('R-SPK-FILTER', 'error', at, `${effect} frequency ${hz} Hz is above half the sample rate (${rate} Hz → at most ${rate / 2} Hz)`);
  } else if (hz > MAX_FILTER_HZ) {
    report('R-SPK-FILTER', 'error', at, `${effect} frequency ${hz} Hz is above ${MAX_FILTER_HZ} Hz, half the highest sample rate (48000 Hz)`);
  } else if (hz > SAFE_FILTER_HZ) {
    report('R-SPK-FILTER', 'warning', at, `${effect} frequency ${hz} Hz needs a sample rate of at least ${hz * 2} Hz (it may be at most half the sample rate); the sample rate is unknown here, so cosy checked against 24000 Hz (give --sample-rate)`);
  }
}

/** Whether any node of a subtree is speech: non-blank text, or an element other than a pause or a sound. */
function hasSpeech(nodes: readonly SsmlNode[]): boolean {
  return nodes.some((n) => (n.kind === 'text' ? /\S/u.test(n.text) : n.name !== 'break' && n.name !== 'soundEvent' && n.name !== 'vhml'));
}

function checkEmpty(element: SsmlElement, report: Report): void {
  if (hasSpeech(element.children)) return;
  const sounds = element.children.some((n) => n.kind === 'element' && (n.name === 'break' || n.name === 'soundEvent'));
  if (sounds) report('R-DOC-EMPTY', 'warning', element.start, '<speak> holds only pauses or sound events: nothing is spoken');
  else report('R-DOC-EMPTY', 'error', element.start, '<speak> is empty: there is nothing to say');
}
