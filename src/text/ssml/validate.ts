/**
 * validateSsml: every check of the CosyVoice SSML dialect over one input, gathered into located findings. It never
 * throws: a lexer that recovers from every error, a tree cut at MAX_DEPTH and a last-resort catch make sure that any
 * input, however broken, comes back as findings.
 */
import { countCharacters, type CharacterCounts } from '../../protocol/counting.js';
import { lex, type Token } from './lexer.js';
import { SourceLocator } from './locate.js';
import { checkBreak, checkBreakRuns } from './rules/break.js';
import { checkContext } from './rules/context.js';
import { checkDocument } from './rules/document.js';
import { checkElement } from './rules/elements.js';
import { checkPhoneme } from './rules/phoneme.js';
import { checkSayAs } from './rules/say-as.js';
import { checkSoundEvent } from './rules/sound-event.js';
import { checkSpeak } from './rules/speak.js';
import { checkSub } from './rules/sub.js';
import { buildTree, type SsmlElement, type SsmlNode } from './tree.js';
import type { Finding, Issue, Report, Severity, SsmlContext, SsmlReport } from './types.js';
import { checkWellFormed } from './wellformed.js';
import { countSeverities } from './format.js';

/** Most findings reported for one input; the rest are counted in `omitted`. */
export const MAX_FINDINGS = 100;

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/** Runs the rules of each element of a subtree (depth is bounded by the tree's MAX_DEPTH). */
function walk(nodes: readonly SsmlNode[], parent: SsmlElement | undefined, context: SsmlContext, report: Report): void {
  for (const node of nodes) {
    if (node.kind !== 'element') continue;
    checkElement(node, parent, report);
    switch (node.name) {
      case 'speak':
        checkSpeak(node, context, report);
        checkBreakRuns(node.children, report);
        break;
      case 'break':
        checkBreak(node, report);
        break;
      case 'sub':
        checkSub(node, report);
        break;
      case 'phoneme':
        checkPhoneme(node, report);
        break;
      case 'soundEvent':
        checkSoundEvent(node, report);
        break;
      case 'say-as':
        checkSayAs(node, report);
        break;
      case 'vhml':
        report('R-VHML', 'warning', node.start, '<vhml/> is mentioned by the documentation without a meaning: it may do nothing');
        break;
      default:
        break;
    }
    walk(node.children, node, context, report);
  }
}

/**
 * Billed characters (the decoded text, tags excluded) and the conservative count (everything), from the lexer's
 * tokens: linear on any input, unlike a regular expression over tags that never close.
 */
function countTokens(text: string, tokens: readonly Token[]): CharacterCounts {
  let billed = 0;
  for (const token of tokens) if (token.kind === 'text' || token.kind === 'cdata') billed += countCharacters(token.text);
  return { billed, conservative: countCharacters(text) };
}

/** Every issue of a document, unordered, and its character counts. */
function collectIssues(text: string, context: SsmlContext, locator: SourceLocator): { issues: Issue[]; documents: number; counts: CharacterCounts } {
  const lexed = lex(text);
  // The lexer's list is the start (never spread into push: it may hold more items than a call takes arguments).
  const issues: Issue[] = lexed.issues;
  const report: Report = (rule, severity, offset, message) => {
    issues.push({ rule, severity, offset, message });
  };
  const counts = countTokens(text, lexed.tokens);
  const top = buildTree(lexed.tokens, report, (offset) => locator.position(offset));
  if (!issues.some((i) => i.rule === 'R-DOC-WELLFORMED')) {
    const invalid = checkWellFormed(lexed.sanitized, locator);
    if (invalid !== undefined) issues.push(invalid);
  }
  const documents = checkDocument(top, text, report);
  walk(top, undefined, context, report);
  const firstSpeak = top.find((n) => n.kind === 'element' && n.name === 'speak');
  checkContext(context, counts, firstSpeak?.kind === 'element' ? firstSpeak.start : 0, report);
  return { issues, documents, counts };
}

/** Located, ordered, de-duplicated findings, at most MAX_FINDINGS of them. */
function locate(issues: Issue[], locator: SourceLocator): { findings: Finding[]; omitted: number; totals: Record<Severity, number> } {
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const key = `${i.offset}\u0000${i.rule}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => a.offset - b.offset || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const kept = unique.slice(0, MAX_FINDINGS);
  const findings = kept.map((i): Finding => {
    const { line, column } = locator.position(i.offset);
    return { rule: i.rule, severity: i.severity, message: i.message, line, column, excerpt: locator.excerpt(i.offset) };
  });
  return { findings, omitted: unique.length - kept.length, totals: countSeverities(unique) };
}

/** Checks an SSML document against the CosyVoice dialect and the request context; never throws. */
export function validateSsml(text: string, context: SsmlContext): SsmlReport {
  const locator = new SourceLocator(text);
  let collected: { issues: Issue[]; documents: number; counts: CharacterCounts };
  try {
    collected = collectIssues(text, context, locator);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    collected = {
      issues: [{ rule: 'R-INTERNAL', severity: 'error', offset: 0, message: `cosy could not check this document (a bug in cosy, please report it): ${why}` }],
      documents: 0,
      counts: { billed: countCharacters(text), conservative: countCharacters(text) },
    };
  }
  return { ...locate(collected.issues, locator), counts: collected.counts, documents: collected.documents };
}
