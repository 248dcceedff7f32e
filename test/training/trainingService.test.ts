// The training service with a real forked process (the bundled dist/trainingProcess.js, rebuilt
// here) on the embedded data, kept to a few batches: events, cancel, run folder, a crash and a restart.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Design } from '../../src/core/design';
import { parseDesign } from '../../src/core/format/parseDesign';
import type { ProcessMessage, TrainingRunRequest } from '../../src/training/protocol/trainingProtocol';
import { automaticReplicaCount } from '../../src/training/parallel/ReplicaGroup';
import { TrainingService } from '../../src/training/service/TrainingService';

const root = join(__dirname, '../..');
const designPath = join(root, 'examples/mnist-cnn.cnn.json');
const designText = readFileSync(designPath, 'utf8');
const design = parseDesign(designText).design as Design;

describe('TrainingService (real training process)', function () {
  this.timeout(120_000);
  let runs: string;
  let service: TrainingService;
  before(() => {
    // The service forks the bundle, so build it from the current sources.
    execFileSync(process.execPath, ['esbuild.config.mjs', '--only=trainingProcess'], { cwd: root, stdio: 'inherit' });
    runs = mkdtempSync(join(tmpdir(), 'cnn-service-'));
    service = new TrainingService({ processScript: join(root, 'dist/trainingProcess.js') });
  });
  after(() => rmSync(runs, { recursive: true, force: true }));

  const request = (epochs: number, maxBatchesPerEpoch: number): TrainingRunRequest => ({
    design,
    designText,
    designPath,
    runsFolder: runs,
    settings: { ...design.training, dataset: 'mnist-sample', epochs, validationSplit: 0.05 },
    limits: { maxBatchesPerEpoch, maxTestImages: 300 },
  });

  it('runs in its own process: ready, backend, progress, epochs, then the result and its run folder', async () => {
    const run = service.start(request(2, 8));
    const messages: ProcessMessage[] = [];
    run.onMessage((m) => messages.push(m));
    assert.notEqual(run.pid, process.pid);
    assert.throws(() => service.start(request(1, 1)), /already in progress/);
    const outcome = await run.outcome;
    assert.equal(outcome.kind, 'completed', JSON.stringify(outcome).slice(0, 300));
    if (outcome.kind !== 'completed') return;
    const types = messages.map((m) => m.type);
    assert.deepEqual([...new Set(types.filter((t) => t !== 'log'))], ['ready', 'backend', 'runFolder', 'progress', 'epoch', 'result']);
    const backend = messages.find((m) => m.type === 'backend');
    assert.ok(backend?.type === 'backend' && backend.backend === 'wasm' && backend.attempts.length === 5);
    assert.equal(types.filter((t) => t === 'epoch').length, 2);
    assert.equal(outcome.result.epochs.length, 2);
    assert.ok(outcome.result.test!.accuracy > 0.2);
    const folder = outcome.result.runFolder!;
    assert.ok(folder.startsWith(runs));
    for (const file of ['run.json', 'metrics.json', 'design.cnn.json', 'model/model.json', 'model/weights.bin']) assert.ok(existsSync(join(folder, file)), file);
    const manifest = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8'));
    // By default the process trains one copy of the model per core (data parallel) on wasm.
    const copies = automaticReplicaCount('wasm', design.training?.batchSize ?? 64);
    assert.equal(manifest.replicas, copies);
    if (copies > 1) assert.ok(messages.some((m) => m.type === 'log' && m.message.includes(`${copies} data-parallel copies`)));
    assert.deepEqual(manifest.backend.attempts.map((a: { backend: string; ok: boolean }) => [a.backend, a.ok]), [['pytorch', false], ['tensorflow-gpu', false], ['tensorflow', false], ['webgpu', false], ['wasm', true]]);
    assert.equal(service.activeRun, undefined);
  });

  it('cancels mid-epoch and keeps the completed epoch (how fast: npm run bench:cancel)', async () => {
    const run = service.start(request(4, 60));
    run.onMessage((m) => {
      if (m.type === 'progress' && m.progress.epoch === 2) void run.cancel();
    });
    const outcome = await run.outcome;
    assert.equal(outcome.kind, 'cancelled');
    if (outcome.kind !== 'cancelled') return;
    assert.equal(outcome.result?.epochs.length, 1);
    assert.ok(existsSync(join(outcome.result!.runFolder!, 'model', 'model.json')));
  });

  it('removes the run folder of a run stopped before its first epoch, so the run history does not list it', async () => {
    const run = service.start(request(2, 60));
    let folder: string | undefined;
    run.onMessage((m) => {
      if (m.type === 'runFolder') {
        folder = m.folder;
        void run.cancel();
      }
    });
    const outcome = await run.outcome;
    assert.equal(outcome.kind, 'cancelled');
    assert.ok(folder, 'the run had created its folder');
    assert.equal(existsSync(folder), false, `${folder} was left behind`);
    assert.equal(outcome.kind === 'cancelled' ? outcome.result?.runFolder : 'n/a', undefined, 'the outcome names no run folder');
  });

  it('reports a crash of the process and can start again afterwards', async () => {
    const run = service.start(request(3, 200));
    run.onMessage((m) => {
      if (m.type === 'progress' && run.pid) process.kill(run.pid, 'SIGKILL');
    });
    const outcome = await run.outcome;
    assert.equal(outcome.kind, 'crashed');
    if (outcome.kind === 'crashed') assert.match(outcome.message, /was killed \(SIGKILL\) before finishing; running out of memory is the usual cause/);
    assert.equal(service.activeRun, undefined);
    const again = await service.start(request(1, 2)).outcome;
    assert.equal(again.kind, 'completed');
  });

  it('reports a failure in the process as an error message, not a crash', async () => {
    // Valid settings (the analysis checks those before a run) whose files are missing: only the process can find out.
    const missing = join(tmpdir(), 'cnn-no-such-dataset');
    const broken = { ...request(1, 1), settings: { ...design.training, dataset: 'mnist', datasetPath: missing } };
    const outcome = await service.start(broken).outcome;
    assert.deepEqual(outcome, { kind: 'failed', message: `Dataset path not found: ${missing}` });
  });
});
