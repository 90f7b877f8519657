// Bundles the compiled CLI (dist/cli/main.js) and commander into dist/bin/, with code splitting so commands still
// load lazily. One file instead of a dozen ES modules cuts start-up time (see docs/performance.md). Runtime
// dependencies other than commander stay external: they load only when a command needs them.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys(pkg.dependencies).filter((name) => name !== 'commander');

await build({
  entryPoints: { main: 'dist/cli/main.js' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // The version is known now: no package.json lookup at start-up (src/version.ts).
  define: { __COSY_VERSION__: JSON.stringify(pkg.version) },
  chunkNames: 'chunks/[name]-[hash]',
  // commander is CommonJS: give its require() calls a real require inside the ES module bundle.
  banner: { js: "import { createRequire as __cosyCreateRequire } from 'node:module'; const require = __cosyCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
