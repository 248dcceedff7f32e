// Measures a training run as the user sees it, through the TrainingService and a real training
// process on the embedded MNIST sample: time from start() to the first finished batch, training
// throughput, and memory (live tensors, resident MB) over 10 epochs.
// Usage: npm run bench:training-run
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Design } from '../src/core/design';
import { parseDesign } from '../src/core/format/parseDesign';
import { TrainingService } from '../src/training/service/TrainingService';
import type { EpochMetrics } from '../src/training/trainer/trainingReport';

const root = join(__dirname, '..');
const designPath = join(root, 'examples/mnist-cnn.cnn.json');
const designText = readFileSync(designPath, 'utf8');
const design = parseDesign(designText).design as Design;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  execFileSync(process.execPath, ['esbuild.config.mjs', '--only=trainingProcess'], { cwd: root, stdio: 'inherit' });
  const runs = mkdtempSync(join(tmpdir(), 'cnn-bench-runs-'));
  const service = new TrainingService({ processScript: join(root, 'dist/trainingProcess.js') });
  try {
    const firstBatch: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = service.start({ design, designText, designPath, runsFolder: runs, settings: { ...design.training, dataset: 'mnist-sample', epochs: 1 }, limits: { maxBatchesPerEpoch: 3, maxTestImages: 100 } });
      run.onMessage((m) => {
        if (m.type === 'progress' && firstBatch.length === i) firstBatch.push((Date.now() - run.startedAt) / 1000);
      });
      await run.outcome;
    }
    console.log(`start → first batch (process, backend smoke test, data, model): median ${median(firstBatch).toFixed(2)} s of ${firstBatch.map((s) => s.toFixed(2)).join(', ')} (target < 3 s)`);

    const epochs: EpochMetrics[] = [];
    const run = service.start({ design, designText, designPath, runsFolder: runs, settings: { ...design.training, dataset: 'mnist-sample', epochs: 10, validationSplit: 0.05 }, limits: { maxBatchesPerEpoch: 40, maxTestImages: 200 } });
    run.onMessage((m) => {
      if (m.type === 'epoch') epochs.push(m.metrics);
    });
    const outcome = await run.outcome;
    if (outcome.kind !== 'completed') throw new Error(`the 10-epoch run ended ${outcome.kind}`);
    console.log('epoch  samples/s  live tensors  resident MB');
    for (const e of epochs) console.log(`${String(e.epoch).padStart(5)}  ${Math.round(e.samplesPerSecond).toString().padStart(9)}  ${String(e.tensors).padStart(12)}  ${String(e.residentMegabytes).padStart(11)}`);
    console.log(`training throughput (median over epochs, batch 64, ${outcome.result.backend}): ${Math.round(median(epochs.map((e) => e.samplesPerSecond)))} samples/s`);
    const rss = epochs.map((e) => e.residentMegabytes);
    console.log(`memory over 10 epochs: tensors ${Math.min(...epochs.map((e) => e.tensors))}–${Math.max(...epochs.map((e) => e.tensors))}, resident ${Math.min(...rss)}–${Math.max(...rss)} MB (epoch 2 → 10 growth ${rss[rss.length - 1] - rss[1]} MB)`);
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
}

void main();
