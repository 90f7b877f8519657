/**
 * Robustness over a generated corpus of malformed input (malformed-corpus.ts): nothing throws, every input gets
 * at least one error, every finding has a location, and the checker stays fast on huge and deeply nested input.
 */
import { describe, expect, it } from 'vitest';
import { XMLValidator } from 'fast-xml-parser';
import { lintInput } from '../../../../src/text/ssml/lint-input.js';
import { MAX_FINDINGS, validateSsml } from '../../../../src/text/ssml/validate.js';
import { malformedCorpus } from './malformed-corpus.js';

const corpus = malformedCorpus();

describe('malformed corpus', () => {
  it('has at least 200 inputs, the same on every run', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    expect(malformedCorpus().map((e) => e.text)).toEqual(corpus.map((e) => e.text));
  });

  it('never throws; every input yields errors, each finding located, none internal', () => {
    const started = Date.now();
    for (const entry of corpus) {
      const report = validateSsml(entry.text, { source: entry.name, model: 'cosyvoice-v3-flash', voice: 'longanyang', sampleRate: 22050 });
      const where = `${entry.name}: ${JSON.stringify(entry.text.slice(0, 80))}`;
      expect(report.findings.some((f) => f.severity === 'error'), where).toBe(true);
      expect(report.findings.length, where).toBeLessThanOrEqual(MAX_FINDINGS);
      for (const f of report.findings) {
        expect(f.rule, where).not.toBe('R-INTERNAL');
        expect(f.line, where).toBeGreaterThanOrEqual(1);
        expect(f.column, where).toBeGreaterThanOrEqual(1);
        expect(f.excerpt, where).toMatch(/\n[ \t]*\^$/u);
      }
    }
    // About 1 s here; the bound only catches a catastrophic slowdown, with room for a loaded CI machine.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('rejects everything fast-xml-parser rejects', () => {
    for (const entry of corpus) {
      if (entry.text.length > 50_000) continue;
      const wrapped = `<r>${entry.text}</r>`;
      if (XMLValidator.validate(wrapped) !== true) {
        expect(validateSsml(entry.text, { source: entry.name }).findings.some((f) => f.severity === 'error'), entry.name).toBe(true);
      }
    }
  });

  it('lints the raw bytes of binary entries with an encoding error at a location', () => {
    for (const entry of corpus.filter((e) => e.bytes !== undefined)) {
      const result = lintInput(entry.bytes ?? new Uint8Array(), entry.name);
      expect(result.findings.some((f) => f.severity === 'error'), entry.name).toBe(true);
      for (const f of result.findings) expect(f.line, entry.name).toBeGreaterThanOrEqual(1);
    }
  });

  it('cuts nesting at 32 levels and says so once', () => {
    const report = validateSsml(`<speak>${'<say-as>'.repeat(10_000)}x${'</say-as>'.repeat(10_000)}</speak>`, { source: 'deep' });
    expect(report.findings.filter((f) => f.rule === 'R-DOC-CHILD' && f.message.includes('32 levels'))).toHaveLength(1);
    expect(report.findings.length + report.omitted).toBeLessThan(200);
  });

  it('stays linear on pathological input: more problems than a call takes arguments, tags that never close', () => {
    const started = Date.now();
    const report = validateSsml(`<speak>${'<a b="'.repeat(150_000)}`, { source: 'quotes' });
    expect(report.findings.some((f) => f.rule === 'R-INTERNAL')).toBe(false);
    expect(report.findings.length + report.omitted).toBeGreaterThan(150_000);
    expect(report.counts.conservative).toBe(900_007);
    const lines = validateSsml(`<speak>\n${'😀</x>'.repeat(50_000)}</speak>`, { source: 'mismatch' });
    expect(lines.findings.find((f) => f.rule === 'R-DOC-WELLFORMED')).toMatchObject({ line: 2, column: 2 });
    // Under 1 s here: the bound catches a blow-up (900,000 findings counted), with room for a loaded CI machine.
    expect(Date.now() - started).toBeLessThan(12_000);
  });
});
