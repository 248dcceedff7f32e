#!/usr/bin/env node
// The CLI is bundled by esbuild into dist/cli.js (npm install builds it through `prepare`).
require('../dist/cli.js');
