#!/usr/bin/env node
// The CLI is bundled by esbuild into dist/cli.js (npm install builds it through `prepare`; the npm
// package ships it). It runs whatever this file is called through: npx and global installs start it
// through a link named `cnn-designer`, so nothing here may depend on the name in process.argv[1].
require('../dist/cli.js').runCliInProcess();
