import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLEAN_NPM_ENVIRONMENT = join(ROOT, 'scripts', 'cleanNpmEnvironment.sh');

/**
 * Runs a command the way a user's shell would: without the npm_config_* variables an outer `npm test`
 * passes down (a nested npm would take them for its own configuration).
 */
function shell(command: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', `source "${CLEAN_NPM_ENVIRONMENT}" && exec "$@"`, 'bash', command, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: { status: number | null; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('the npm package, installed as a user installs it', function () {
  this.timeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-designer-installed-'));
  const prefix = join(dir, 'prefix');
  const project = join(dir, 'project');
  let tarball = '';

  before(() => {
    // The package ships the CLI's bundles; build the two it runs (the CLI and the training process).
    execFileSync(process.execPath, ['esbuild.config.mjs', '--only=cli,trainingProcess'], { cwd: ROOT, stdio: 'pipe' });
    // --ignore-scripts: `prepare` would build every bundle (the editor's too), which the package does not ship.
    ok(shell('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], ROOT), 'npm pack');
    tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
    // --offline: the package has no dependencies to fetch (its bundles contain everything they run).
    ok(shell('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], dir), 'npm install --global');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-cnn-designer', version: '1.0.0', private: true }));
    ok(shell('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], project), 'npm install in a project');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const installed = join(prefix, 'bin', 'cnn-designer');
  const example = (name: string) => join(prefix, 'lib', 'node_modules', 'cnn-designer', 'examples', name);

  it('the global `cnn-designer` (a symlink without .js) prints its help and exits 0', () => {
    const out = ok(shell(installed, ['--help'], dir), 'cnn-designer --help');
    assert.match(out, /Usage: cnn-designer <command>/);
    for (const command of ['summary', 'validate', 'export', 'import', 'train']) assert.match(out, new RegExp(`^  ${command} `, 'm'));
  });

  it('the global `cnn-designer summary` prints the table of a shipped example', () => {
    const out = ok(shell(installed, ['summary', example('mnist-cnn.cnn.json')], dir), 'cnn-designer summary');
    assert.match(out, /conv1 \(Conv2D\)/);
    assert.match(out, /Total params: 21,840/);
  });

  it('an unknown command through the installed bin says so and exits 2', () => {
    const r = shell(installed, ['frobnicate'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Unknown command "frobnicate"/);
  });

  it('`npx cnn-designer` runs the project-local install', () => {
    const help = ok(shell('npx', ['--offline', '--no-install', 'cnn-designer', '--help'], project), 'npx cnn-designer --help');
    assert.match(help, /Usage: cnn-designer <command>/);
    const summary = ok(shell('npx', ['--offline', '--no-install', 'cnn-designer', 'summary', example('resnet18.cnn.json')], project), 'npx cnn-designer summary');
    assert.match(summary, /Total params: 11,699,112/);
  });

  it('the installed package trains: its training process, wasm binaries and MNIST sample are shipped', () => {
    const runs = join(dir, 'runs');
    const out = ok(shell(installed, ['train', example('mnist-cnn.cnn.json'), '--epochs', '1', '--max-batches', '2', '--backend', 'wasm', '--replicas', '1', '--runs', runs], dir), 'cnn-designer train');
    assert.match(out, /Backend: wasm/);
    assert.match(out, /Test accuracy: /);
    assert.equal(readdirSync(runs).length, 1);
  });
});
