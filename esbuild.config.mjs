// One build for every bundle: the extension host, the CLI, the training process, the webviews and
// the benchmarks. Type-checking is separate (`npm run typecheck`, tsc --noEmit).
// Usage: node esbuild.config.mjs [--watch] [--only=name,name] [--production]
import * as esbuild from 'esbuild';

const args = process.argv.slice(2);
const watch = args.includes('--watch');
const production = args.includes('--production');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');

/** A Node bundle (CommonJS, as VS Code's extension host and `node` load it). */
const node = (name, entryPoints, outdir, extra = {}) => ({
  name,
  options: {
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    // jsonc-parser's `main` is a UMD build whose inner requires esbuild cannot follow; its ES module build bundles.
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
    ...extra,
  },
});

/** A browser bundle for a webview (one IIFE script, no remote content). */
const browser = (name, entryPoints, outdir, extra = {}) => ({
  name,
  options: {
    entryPoints,
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    loader: { '.css': 'css', '.svg': 'text' },
    define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
    ...extra,
  },
});

export const bundles = [
  node('cli', { cli: 'src/cli/main.ts' }, 'dist'),
  node('bench', { analysisBench: 'bench/analysisBench.ts' }, 'dist/bench'),
  node('extension', { extension: 'src/extension/extension.ts' }, 'dist', { external: ['vscode'] }),
  // The layout engine (ELK) is its own script, which the editor loads when a layout first runs.
  browser('webview', { editor: 'webview/editor/main.tsx', layoutEngine: 'webview/editor/layoutEngine.ts' }, 'dist/webview'),
  browser('trainingPanel', { training: 'webview/training/main.ts' }, 'dist/webview'),
  node('featureMapsProcess', { featureMapsProcess: 'src/featureMaps/featureMapsProcessMain.ts' }, 'dist'),
  browser('webviewHarness', { harness: 'test/webview/harness.ts' }, 'dist/webview-harness'),
  node('trainBench', { trainBench: 'bench/trainBench.ts' }, 'dist/bench'),
  node('trainingProcess', { trainingProcess: 'src/training/process/trainingProcessMain.ts' }, 'dist'),
  node('editorBench', { editorBench: 'bench/editorBench.ts' }, 'dist/bench', { external: ['playwright-core'] }),
];

const selected = bundles.filter((b) => !only || only.includes(b.name));

// The wasm TF.js backend loads its .wasm binaries at run time from next to the bundle that uses it
// (training engine, CLI, benchmarks), so they ship in dist/ (bench bundles look one folder up).
import { copyFileSync, mkdirSync } from 'node:fs';
mkdirSync('dist', { recursive: true });
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(`node_modules/@tensorflow/tfjs-backend-wasm/dist/${file}`, `dist/${file}`);
}
if (watch) {
  for (const b of selected) await (await esbuild.context(b.options)).watch();
  console.log(`watching ${selected.map((b) => b.name).join(', ')}`);
} else {
  await Promise.all(selected.map((b) => esbuild.build(b.options)));
}
