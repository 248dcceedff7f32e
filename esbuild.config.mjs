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
];

const selected = bundles.filter((b) => !only || only.includes(b.name));
if (watch) {
  for (const b of selected) await (await esbuild.context(b.options)).watch();
  console.log(`watching ${selected.map((b) => b.name).join(', ')}`);
} else {
  await Promise.all(selected.map((b) => esbuild.build(b.options)));
}
