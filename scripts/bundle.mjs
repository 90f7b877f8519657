// Bundles the compiled CLI (dist/cli/main.js) and its dependencies into dist/bin/ as CommonJS, with code splitting
// so each command still loads only when it runs. Why CommonJS: Node 20 loads ES modules through an asynchronous
// loader (its own start-up, the thread pool for file reads, one round trip per import level), which cost more
// than the rest of `cosy --version` together; require() reads synchronously. Measurements: docs/performance.md.
//
// esbuild splits code only for ES module output, so this is two steps: an ES module build with splitting, then
// each output file converted to CommonJS on its own. Dependencies are bundled (chalk, ora, p-limit, p-throttle and
// music-metadata are ES-module-only, which require() cannot load in Node 20); import() becomes a lazy require().
import { build, transform } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const OUT = 'dist/bin';
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// commander loads node:child_process at start-up only to spawn executable subcommands, which cosy does not have.
// Give it a stand-in that loads the module on first use instead.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

const esm = await build({
  entryPoints: { main: 'dist/cli/main.js' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ws's optional native helpers: ws falls back to JavaScript when require() cannot find them.
  external: ['bufferutil', 'utf-8-validate'],
  // The version is known now: no package.json lookup at start-up (src/version.ts).
  define: { __COSY_VERSION__: JSON.stringify(pkg.version) },
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [lazyChildProcess],
  write: false,
  logLevel: 'warning',
});

// Chunk names carry a content hash: start from an empty directory so old chunks do not pile up.
rmSync(OUT, { recursive: true, force: true });
for (const file of esm.outputFiles) {
  const cjs = await transform(file.text, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // import('./chunks/x.js') → Promise.resolve().then(() => require('./chunks/x.js'))
    supported: { 'dynamic-import': false },
    logLevel: 'warning',
  });
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, cjs.code);
}
// The package is "type": "module"; these .js files are CommonJS.
writeFileSync(join(OUT, 'package.json'), '{ "type": "commonjs" }\n');
