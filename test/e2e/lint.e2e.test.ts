/**
 * `cosy lint` end to end (the built binary, no key, no network), and the SSML check inside `cosy say` against the
 * emulator: valid SSML goes out as one continue-task with enable_ssml; invalid SSML never opens a connection.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, runCli } from '../helpers/run-cli.js';
import { e2eFixture } from '../helpers/fixture.js';
import { malformedCorpus } from '../unit/text/ssml/malformed-corpus.js';

const fx = e2eFixture();

/** Writes a file into the temp dir and returns its name (relative, as a user would type it). */
function file(name: string, content: string | Uint8Array): string {
  writeFileSync(join(fx.dir, name), content);
  return name;
}

const lint = (args: string[], stdin?: string) => runCli(['lint', ...args], { env: baseEnv(fx.dir), cwd: fx.dir, stdin });

const GOOD = '<speak rate="1.2">Hello <break time="500ms"/> world</speak>\n';
const BAD = '<speak rate="3">\n  你好<break time="11s"/>\n  Tom & Jerry\n</speak>\n';

describe('cosy lint', () => {
  it('exits 0 on a clean file, with a summary line on stderr and nothing on stdout', async () => {
    const r = await lint([file('good.ssml', GOOD)]);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toBe('good.ssml: SSML, 13 characters (60 with tags): no problems\n');
  });

  it('exits 2 with every finding, its location, rule and a caret excerpt', async () => {
    const r = await lint([file('bad.ssml', BAD), file('good.ssml', GOOD)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        'bad.ssml:1:14: error: rate "3" is above 2: write a factor from 0.5 to 2 (1 = normal speaking rate) [R-SPK-RATE]',
        ' 1 | <speak rate="3">',
        '   |              ^',
        'bad.ssml:2:18: error: time "11s" is above 10s, the longest pause: write 1s to 10s, or 50ms to 10000ms [R-BRK-TIME]',
        ' 2 |   你好<break time="11s"/>',
        '   |                    ^',
        'bad.ssml:3:7: error: a raw "&" in text must be written &amp; [R-DOC-ESCAPE]',
        ' 3 |   Tom & Jerry',
        '   |       ^',
        'bad.ssml: SSML, 23 characters (66 with tags): 3 errors',
        'good.ssml: SSML, 13 characters (60 with tags): no problems',
        'cosy: error: 3 errors in 2 files',
        '',
      ].join('\n'),
    );
    expect(r.stdout.length).toBe(0);
  });

  it('counts the findings left out after the first 100 in every total', async () => {
    file('many.ssml', `<speak>${'<break time="99s"/>'.repeat(250)}</speak>`);
    const j = await lint(['many.ssml', '--json']);
    type FileDoc = { errors: number; warnings: number; infos: number; omitted: number; findings: unknown[] };
    const doc = JSON.parse(j.stdout.toString('utf8')) as { errors: number; files: FileDoc[] };
    const one = doc.files[0] as FileDoc;
    expect(one.findings).toHaveLength(100);
    expect(one.errors + one.warnings + one.infos).toBe(100 + one.omitted);
    expect(one.errors).toBeGreaterThanOrEqual(250);
    expect(doc.errors).toBe(one.errors);
    const r = await lint(['many.ssml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${one.errors} errors, ${one.warnings} warning`);
    expect(r.stderr).toContain(`(${one.omitted} more not shown)`);
    expect(r.stderr).toContain(`cosy: error: ${one.errors} errors`);
  });

  it('reads stdin for -', async () => {
    const r = await lint(['-'], '<speak>a<break time="2S"/>b</speak>');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stdin:1:22: error: time "2S": units are lowercase; write 2s [R-BRK-TIME]');
  });

  it('--json prints one document with every file and finding, and exits 2 when a file has errors', async () => {
    const r = await lint(['--json', file('bad.ssml', BAD), file('notes.txt', '今天天气很好。'), 'missing.ssml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    const lines = r.stdout.toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0] ?? '');
    expect(doc).toMatchObject({ ok: false, strict: false, errors: 4, warnings: 0 });
    expect(doc.files).toHaveLength(3);
    expect(doc.files[0]).toMatchObject({ file: 'bad.ssml', kind: 'ssml', ok: false, characters: 23, characters_with_tags: 66, errors: 3 });
    expect(doc.files[0].findings.find((f: { rule: string }) => f.rule === 'R-BRK-TIME')).toEqual({
      rule: 'R-BRK-TIME',
      severity: 'error',
      message: 'time "11s" is above 10s, the longest pause: write 1s to 10s, or 50ms to 10000ms',
      line: 2,
      column: 18,
      excerpt: `  你好<break time="11s"/>\n${' '.repeat(19)}^`,
    });
    expect(doc.files[1]).toMatchObject({ file: 'notes.txt', kind: 'text', ok: true, characters: 13, messages: 1, tasks: 1, infos: 1 });
    expect(doc.files[2]).toMatchObject({ file: 'missing.ssml', kind: 'unreadable', ok: false, findings: [{ rule: 'R-FILE', line: 0, column: 0, message: 'cannot read missing.ssml: no such file' }] });
  });

  it('passes warnings, fails them with --strict, shows notes with --verbose and only errors with --quiet', async () => {
    const name = file('warn.ssml', '<speak volume="80">a<break time="5s"/><break time="6s"/>b</speak>');
    const plain = await lint([name]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('warn.ssml:1:21: warning: these 2 consecutive breaks add up to 11 s');
    expect(plain.stderr).not.toContain('R-SPK-OVERRIDE');
    const strict = await lint(['--strict', name]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('cosy: error: 1 warning in 1 file (--strict: warnings fail)');
    const verbose = await lint(['--verbose', name]);
    expect(verbose.stderr).toContain('warn.ssml:1:8: info: volume="80" overrides the request\'s volume (--volume) for this <speak> [R-SPK-OVERRIDE]');
    const quiet = await lint(['--quiet', name, file('bad.ssml', BAD)]);
    expect(quiet.code).toBe(2);
    expect(quiet.stderr).not.toMatch(/: warning: /u);
    expect(quiet.stderr).not.toContain('SSML,');
    expect(quiet.stderr.match(/: error: /gu)).toHaveLength(4);
  });

  it('checks the model, voice and sample rate given', async () => {
    const name = file('v.ssml', '<speak effect="hpfilter" effectValue="6000">x</speak>');
    const r = await lint(['--model', 'cosyvoice-v1', '--sample-rate', '8000', name]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('v.ssml:1:1: error: cosyvoice-v1 does not support SSML');
    expect(r.stderr).toContain('hpfilter frequency 6000 Hz is above half the sample rate (8000 Hz → at most 4000 Hz) [R-SPK-FILTER]');
  });

  it('lints plain text: empty files fail, SSML-looking text is pointed out', async () => {
    const r = await lint([file('empty.txt', '  \n'), file('tags.txt', 'Hello <break time="1s"/> world')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('empty.txt:1:1: error: the text is empty or only whitespace: there is nothing to speak [R-TXT-EMPTY]');
    expect(r.stderr).toContain('tags.txt:1:7: warning: this looks like SSML, but the text does not start with <speak>');
    expect(r.stderr).toContain('tags.txt: plain text, 30 characters, 1 message: 1 warning');
  });

  it('turns a sample of the garbage corpus into findings with locations, exit 2 and no stack trace', async () => {
    const corpus = malformedCorpus();
    const sample = corpus.filter((_e, i) => i % 10 === 0);
    const names = sample.map((entry, i) => file(`g${i}.ssml`, entry.bytes ?? entry.text));
    const r = await lint(['--ssml', ...names]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error|R-INTERNAL/u);
    for (const name of names) expect(r.stderr).toMatch(new RegExp(`^${name}:\\d+:\\d+: error: `, 'mu'));
    const json = await lint(['--ssml', '--json', ...names]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout.toString('utf8')).files).toHaveLength(names.length);
  });
});

describe('cosy say with SSML', () => {
  it('sends valid SSML as one continue-task with enable_ssml', async () => {
    const emu = await fx.start();
    const ssml = '<speak rate="1.2">Hello <break time="500ms"/> world. <say-as interpret-as="digits">12034</say-as></speak>';
    const r = await runCli(['say', ssml, '-o', 'out.wav', '--verbose'], { env: emu.env, cwd: fx.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(emu.emulator.tasks).toHaveLength(1);
    expect(emu.emulator.tasks[0]?.texts).toEqual([ssml]);
    expect(emu.emulator.tasks[0]?.parameters).toMatchObject({ enable_ssml: true });
    expect(r.stderr).toContain('cosy: the text argument:1:8: info: rate="1.2" overrides the request\'s rate (--rate) for this <speak> [R-SPK-OVERRIDE]');
    expect(r.stderr).toMatch(/19 billed characters \(105 with tags\)/u);
  });

  it('warns about SSML warnings and still speaks', async () => {
    const emu = await fx.start();
    const r = await runCli(['say', '-f', file('w.ssml', '<speak>a<break time="6s"/><break time="6s"/>b</speak>'), '-o', 'out.wav'], { env: emu.env, cwd: fx.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: w.ssml:1:9: warning: these 2 consecutive breaks add up to 12 s');
    expect(emu.emulator.tasks).toHaveLength(1);
  });

  it('refuses invalid SSML with every finding, exit 2, before opening a connection', async () => {
    const emu = await fx.start();
    const r = await runCli(['say', '-f', file('bad.ssml', BAD), '-o', 'out.wav'], { env: emu.env, cwd: fx.dir });
    expect(r.code).toBe(2);
    expect(emu.emulator.connections()).toBe(0);
    expect(r.stderr).toContain('cosy: error: bad.ssml is not valid CosyVoice SSML (3 errors):\nbad.ssml:1:14: error: rate "3" is above 2');
    expect(r.stderr).toContain('bad.ssml:2:18: error: time "11s"');
    expect(r.stderr).toContain('bad.ssml:3:7: error: a raw "&" in text');
    expect(r.stderr).toContain('hint: `cosy lint FILE` checks SSML offline, without a key');
  });

  it('names stdin and the text argument as the source', async () => {
    const emu = await fx.start();
    const piped = await runCli(['say', '-o', 'out.wav'], { env: emu.env, cwd: fx.dir, stdin: '<speak><sub>W3C</sub></speak>' });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('stdin:1:8: error: <sub> needs alias="…"');
    const argument = await runCli(['say', '<speak>a<break time="1.5s"/></speak>', '-o', 'out.wav'], { env: emu.env, cwd: fx.dir });
    expect(argument.code).toBe(2);
    expect(argument.stderr).toContain('the text argument:1:22: error: time "1.5s": seconds must be a whole number; write 1500ms [R-BRK-TIME]');
    expect(emu.emulator.connections()).toBe(0);
  });
});
