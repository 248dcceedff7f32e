// The PyTorch engine end to end through the training service (the bundled training process, which
// starts the Python runner): interpreter discovery with a reason per candidate, the engine list,
// a run's messages and run folder, Stop keeping the completed epoch with no Python left behind (its
// latency is measured by `npm run bench:train`'s engine runs, not timed here), and a runner
// failure reported as the run's failure.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Design } from '../../src/core/design';
import { runCli } from '../../src/cli/main';
import { parseDesign } from '../../src/core/format/parseDesign';
import { formatEngineList, listEngines } from '../../src/training/engine/listEngines';
import type { ProcessMessage, TrainingRunRequest } from '../../src/training/protocol/trainingProtocol';
import { findPythonWithTorch } from '../../src/training/pytorch/findPythonWithTorch';
import { runnerCommand, trainWithPyTorch } from '../../src/training/pytorch/trainWithPyTorch';
import { TrainingService } from '../../src/training/service/TrainingService';
import { PYTHON } from '../export/support/python';

const root = join(__dirname, '../..');
const designPath = join(root, 'examples/mnist-cnn.cnn.json');
const designText = readFileSync(designPath, 'utf8');
const design = parseDesign(designText).design as Design;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe('PyTorch engine', function () {
  this.timeout(240_000);
  let scratch: string;
  let torchAvailable = false;
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'cnn-pytorch-'));
    torchAvailable = !!(await findPythonWithTorch([{ path: PYTHON, source: 'test' }])).found;
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('tries each interpreter in order and says why each one that failed did', async function () {
    if (!torchAvailable) this.skip(); // Reason: no PyTorch in the test interpreter; npm test installs Debian's python3-torch.
    // A real interpreter without its site packages, so without torch.
    const bare = join(scratch, 'python-without-site');
    writeFileSync(bare, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
    chmodSync(bare, 0o755);
    const search = await findPythonWithTorch([
      { path: join(scratch, 'missing-python'), source: 'the setting' },
      { path: bare, source: 'the PATH' },
      { path: PYTHON, source: 'the test interpreter' },
    ]);
    assert.deepEqual(
      search.attempts.map((a) => [a.source, a.ok, a.reason]),
      [
        ['the setting', false, 'not found'],
        ['the PATH', false, 'has no torch (import torch: ModuleNotFoundError)'],
        ['the test interpreter', true, undefined],
      ],
    );
    assert.equal(search.found?.path, PYTHON);
    assert.match(search.found!.torch, /^\d+\.\d+/);
  });

  it('lists the engines with availability and reasons, and marks the automatic choice', () => {
    const python = {
      found: { path: '/opt/py/bin/python', source: 'the setting', python: '3.11.2', torch: '2.4.0', cudaDevices: ['NVIDIA H100'], mps: false },
      attempts: [{ path: 'python3', source: 'the PATH', ok: false, reason: 'not found' }, { path: '/opt/py/bin/python', source: 'the setting', ok: true }],
    };
    const tfjs = [
      { backend: 'tensorflow-gpu', ok: false, reason: '@tensorflow/tfjs-node-gpu is not installed' },
      { backend: 'tensorflow', ok: false, reason: '@tensorflow/tfjs-node is not installed' },
      { backend: 'webgpu', ok: false, reason: 'WebGPU (Dawn) found no GPU adapter' },
      { backend: 'wasm', ok: true },
      { backend: 'cpu', ok: true },
    ];
    const withGpu = listEngines({ python, tfjs });
    assert.deepEqual(withGpu.map((e) => [e.engine, e.available, e.device, e.automatic]), [
      ['pytorch', true, 'cuda', true],
      ['tensorflow-gpu', false, undefined, false],
      ['tensorflow', false, undefined, false],
      ['webgpu', false, undefined, false],
      ['wasm', true, 'cpu', false],
      ['cpu', true, 'cpu', false],
    ]);
    assert.match(withGpu[0].detail, /PyTorch 2\.4\.0 at \/opt\/py\/bin\/python \(the setting\); 1 CUDA GPU\(s\): NVIDIA H100/);
    assert.equal(withGpu[3].detail, 'WebGPU (Dawn) found no GPU adapter');
    // PyTorch on a CPU is offered but not chosen automatically; without torch each interpreter's reason is listed.
    const cpuOnly = listEngines({ python: { ...python, found: { ...python.found, cudaDevices: [] } }, tfjs });
    assert.deepEqual(cpuOnly.filter((e) => e.automatic).map((e) => e.engine), ['wasm']);
    const none = listEngines({ python: { attempts: python.attempts.slice(0, 1) }, tfjs });
    assert.equal(none[0].detail, 'no Python with torch: python3 (the PATH): not found');
    const table = formatEngineList(withGpu);
    assert.match(table, /^\* pytorch +yes \(cuda\) +PyTorch 2\.4\.0/m);
    assert.match(table, /^ {2}webgpu +no +WebGPU \(Dawn\) found no GPU adapter$/m);
  });

  it('launches several processes through torchrun (python -m torch.distributed.run) and one without it', () => {
    assert.deepEqual(runnerCommand('/py', 'runner.py', 'c.json', 1), { command: '/py', args: ['runner.py', 'c.json', '--watch-stdin'] });
    assert.deepEqual(runnerCommand('/py', 'runner.py', 'c.json', 4), {
      command: '/py',
      args: ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=4', '--redirects=2', '--tee=2', 'runner.py', 'c.json', '--watch-stdin'],
    });
  });

  it('trains as DistributedDataParallel with 2 processes under torchrun (gloo on the CPU here; one process per GPU with nccl on CUDA)', async function () {
    if (!torchAvailable) this.skip(); // Reason: no PyTorch in the test interpreter; npm test installs Debian's python3-torch.
    const python = (await findPythonWithTorch([{ path: PYTHON, source: 'test' }])).found!;
    await tf.setBackend('cpu');
    const logs: string[] = [];
    const result = await trainWithPyTorch(
      { design, designText, runsFolder: join(scratch, 'ddp'), settings: { ...design.training, dataset: 'mnist-sample', epochs: 2 }, limits: { maxBatchesPerEpoch: 30, maxTestImages: 500 } },
      { python, device: 'cpu', processes: 2 },
      { onLog: (m) => logs.push(m) },
    );
    assert.equal(result.status, 'completed');
    assert.equal(result.epochs.length, 2);
    assert.ok(result.epochs[1].trainLoss < result.epochs[0].trainLoss, 'the loss falls');
    assert.ok(result.test!.accuracy > 0.5, `test accuracy ${result.test!.accuracy}`);
    assert.ok(logs.some((l) => l.includes('2 data-parallel processes')), logs.join('\n'));
    const manifest = JSON.parse(readFileSync(join(result.runFolder!, 'run.json'), 'utf8'));
    assert.equal(manifest.engine.processes, 2);
  });

  describe('through the training service', () => {
    let service: TrainingService;
    before(() => {
      execFileSync(process.execPath, ['esbuild.config.mjs', '--only=trainingProcess'], { cwd: root, stdio: 'inherit' });
      service = new TrainingService({ processScript: join(root, 'dist/trainingProcess.js') });
    });

    const request = (epochs: number, maxBatchesPerEpoch: number, device?: 'cpu' | 'cuda'): TrainingRunRequest => ({
      design,
      designText,
      designPath,
      runsFolder: join(scratch, 'runs'),
      settings: { ...design.training, dataset: 'mnist-sample', epochs, validationSplit: 0.05, backend: 'pytorch' },
      limits: { maxBatchesPerEpoch, maxTestImages: 300 },
      pytorch: { pythonCandidates: [{ path: PYTHON, source: 'the test interpreter' }], device },
    });

    it('`cnn-designer engines` lists what this machine offers, probed in a training process', async function () {
      let stdout = '';
      let stderr = '';
      const code = await runCli(['engines', '--json', '--python', PYTHON], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
      assert.equal(code, 0, stderr);
      const engines = JSON.parse(stdout) as { engine: string; available: boolean; device?: string; detail: string; automatic: boolean }[];
      assert.deepEqual(engines.map((e) => e.engine), ['pytorch', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
      const byName = new Map(engines.map((e) => [e.engine, e]));
      assert.equal(byName.get('wasm')!.available, true);
      assert.equal(byName.get('pytorch')!.available, torchAvailable);
      if (torchAvailable) assert.match(byName.get('pytorch')!.detail, /at .+ \(the --python option\)/);
      // Not installed here: each says so instead of failing the list.
      for (const name of ['tensorflow-gpu', 'webgpu']) if (!byName.get(name)!.available) assert.match(byName.get(name)!.detail, /is not installed|no GPU adapter|no usable GPU/);
      assert.equal(engines.filter((e) => e.automatic).length, 1);
    });

    it('streams the same messages as a TF.js run and writes the same run folder', async function () {
      if (!torchAvailable) this.skip(); // Reason: no PyTorch in the test interpreter; npm test installs Debian's python3-torch.
      const run = service.start(request(2, 6));
      const messages: ProcessMessage[] = [];
      run.onMessage((m) => messages.push(m));
      const outcome = await run.outcome;
      assert.equal(outcome.kind, 'completed', JSON.stringify(outcome).slice(0, 400));
      if (outcome.kind !== 'completed') return;
      assert.deepEqual([...new Set(messages.map((m) => m.type).filter((t) => t !== 'log'))], ['ready', 'backend', 'runFolder', 'progress', 'epoch', 'result']);
      const backend = messages.find((m) => m.type === 'backend');
      assert.ok(backend?.type === 'backend' && backend.backend === 'pytorch');
      assert.match(backend.detail ?? '', /PyTorch \S+ \(Python \S+\) at .+, from the test interpreter; CPU only/);
      assert.equal(outcome.result.backend, 'pytorch');
      assert.equal(outcome.result.epochs.length, 2);
      assert.ok(outcome.result.test!.confusion.length === 10 && outcome.result.test!.gallery!.length > 0 && outcome.result.firstConvFilters!.filters.length === 10);
      const folder = outcome.result.runFolder!;
      for (const file of ['run.json', 'metrics.json', 'design.cnn.json', 'model/model.json', 'model/weights.bin', 'model.safetensors']) assert.ok(existsSync(join(folder, file)), file);
      const manifest = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8'));
      assert.deepEqual([manifest.engine.name, manifest.engine.device, manifest.engine.interpreter, manifest.engine.interpreterSource], ['pytorch', 'cpu', PYTHON, 'the test interpreter']);
      const metrics = JSON.parse(readFileSync(join(folder, 'metrics.json'), 'utf8'));
      assert.equal(metrics.status, 'completed');
      assert.equal(metrics.test.accuracy, outcome.result.test!.accuracy);
    });

    it('stops on Stop, keeps the completed epoch and leaves no Python running', async function () {
      if (!torchAvailable) this.skip(); // Reason: no PyTorch in the test interpreter; npm test installs Debian's python3-torch.
      const run = service.start(request(3, 60));
      let requested = false;
      let pythonPids: number[] = [];
      const cancelled = new Promise<void>((resolve) =>
        run.onMessage((m) => {
          if (m.type === 'progress' && m.progress.epoch === 2 && !requested) {
            pythonPids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(run.pid)], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean).map(Number);
            requested = true;
            void run.cancel().then(() => resolve());
          }
        }),
      );
      await cancelled;
      const outcome = await run.outcome;
      assert.equal(outcome.kind, 'cancelled');
      assert.equal(outcome.result?.epochs.length, 1);
      assert.ok(existsSync(join(outcome.result!.runFolder!, 'model', 'model.json')));
      assert.equal(pythonPids.length, 1, 'the runner was the training process\'s child');
      assert.ok(await waitFor(() => !pythonPids.some(isAlive), 5000), 'the Python runner has exited');
    });

    it('reports what the runner says when it cannot train (a CUDA device on a machine without one)', async function () {
      if (!torchAvailable) this.skip(); // Reason: no PyTorch in the test interpreter; npm test installs Debian's python3-torch.
      const found = await findPythonWithTorch([{ path: PYTHON, source: 'test' }]);
      if (found.found!.cudaDevices.length > 0) this.skip(); // Reason: this machine has a CUDA GPU, so the failure cannot happen.
      const outcome = await service.start(request(1, 2, 'cuda')).outcome;
      assert.equal(outcome.kind, 'failed');
      if (outcome.kind === 'failed') assert.match(outcome.message, /PyTorch engine: RuntimeError: the cuda device was chosen but PyTorch sees no CUDA GPU/);
    });
  });
});
