// A training process whose parent dies (the CLI killed, the editor's host crashed) must end promptly,
// even while its main thread is stuck in one long synchronous step, where no 'disconnect' handler runs.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainingRunRequest } from '../../src/training/protocol/trainingProtocol';
import { chainDesign } from '../support/designBuilder';

const root = join(__dirname, '..', '..');

/** Whether a process runs (a zombie waiting for a parent to reap it has ended). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, capMs: number): Promise<number> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > capMs) throw new Error(`still not true after ${capMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - start;
}

/**
 * The parent: forks the training process, starts a run, and once the child has spent 3 s of CPU
 * inside the run (one 9×9 convolution over a 384×384×8 input on TF.js' cpu backend, a single
 * synchronous step of many seconds), prints the child's pid and kills itself.
 */
const PARENT = `
const { fork } = require('node:child_process');
const { readFileSync } = require('node:fs');
const [script, requestFile] = process.argv.slice(2);
const child = fork(script, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'advanced' });
const cpuTicks = () => {
  const stat = readFileSync('/proc/' + child.pid + '/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
child.on('message', (message) => {
  if (message.type !== 'ready') return;
  const before = cpuTicks();
  child.send({ type: 'start', request: JSON.parse(readFileSync(requestFile, 'utf8')) });
  const timer = setInterval(() => {
    if (cpuTicks() - before < 300) return;
    clearInterval(timer);
    process.stdout.write(child.pid + '\\n', () => process.kill(process.pid, 'SIGKILL'));
  }, 20);
});
`;

describe('the training process ends when its parent dies (the feature-map process uses the same watchdog)', function () {
  this.timeout(180_000);
  let dir: string;
  let childPid = 0;

  before(function () {
    if (!existsSync('/proc/self/stat')) this.skip(); // the parent measures the child's CPU time in /proc (Linux)
    execFileSync(process.execPath, ['esbuild.config.mjs', '--only=trainingProcess'], { cwd: root, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'cnn-orphan-'));
  });
  after(() => {
    if (childPid && running(childPid)) process.kill(childPid, 'SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a training process busy in a long synchronous step is gone within seconds of its parent being killed', async () => {
    const design = chainDesign([384, 384, 8], [['Conv2D', { filters: 32, kernelSize: 9, padding: 'same' }], ['GlobalAvgPool2D'], ['Dense', { units: 2 }]]);
    const request: TrainingRunRequest = {
      design,
      designText: JSON.stringify(design),
      designPath: join(dir, 'big.cnn.json'),
      runsFolder: join(dir, 'runs'),
      settings: { dataset: 'mnist-sample', epochs: 1, backend: 'cpu' },
      limits: { maxBatchesPerEpoch: 1 },
    };
    writeFileSync(join(dir, 'request.json'), JSON.stringify(request));
    writeFileSync(join(dir, 'parent.js'), PARENT);
    const parent = spawn(process.execPath, [join(dir, 'parent.js'), join(root, 'dist', 'trainingProcess.js'), join(dir, 'request.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exit = await new Promise<string | null>((resolve) => parent.on('exit', (_code, signal) => resolve(signal)));
    assert.equal(exit, 'SIGKILL', 'the parent killed itself once the child was busy');
    childPid = Number(out.trim());
    assert.ok(childPid > 0, `the parent printed the child's pid: ${JSON.stringify(out)}`);
    const took = await waitFor(() => !running(childPid), 20_000);
    console.log(`      the orphaned training process ended ${took} ms after its parent`);
  });
});
