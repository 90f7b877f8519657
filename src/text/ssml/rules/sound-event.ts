/**
 * `<soundEvent>` (specification §3.5): a URL in src (R-SND-SRC). Its emptiness (R-SND-EMPTY) is checked with the
 * other content rules.
 */
import { attributeOf, type SsmlElement } from '../tree.js';
import type { Report } from '../types.js';
import { checkUrl } from './values.js';

/** Checks a `<soundEvent>` element. */
export function checkSoundEvent(element: SsmlElement, report: Report): void {
  const src = attributeOf(element, 'src');
  if (src === undefined) {
    report('R-SND-SRC', 'error', element.start, '<soundEvent> needs src="…": the URL of a WAV file');
    return;
  }
  if (src.wellFormed && checkUrl(src, 'R-SND-SRC', report)) {
    report('R-SND-SRC', 'info', src.valueOffset, 'sound files must be WAV (16 kHz, mono, 16-bit), at most 2 MB, in a public-read OSS bucket; you bear copyright responsibility');
  }
}
