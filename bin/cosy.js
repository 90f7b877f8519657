#!/usr/bin/env node
// CommonJS (see bin/package.json), like the bundle it loads: no ES module loader at start-up (scripts/bundle.mjs).
require('../dist/bin/main.js');
