// Measures how long Stop takes: from TrainingRun.cancel() to the run's outcome, through the
// TrainingService and a real training process on the embedded MNIST sample, cancelled mid-epoch.
// The process stops between batches; past the service's grace period (900 ms) it is killed, so a
// latency near that figure means batches are too long to stop between.
// Usage: npm run bench:cancel
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Design } from '../src/core/design';
import { parseDesign } from '../src/core/format/parseDesign';
import { TrainingService } from '../src/training/service/TrainingService';

const root = join(__dirname, '..');
const designPath = join(root, 'examples/mnist-cnn.cnn.json');
const designText = readFileSync(designPath, 'utf8');
const design = parseDesign(designText).design as Design;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const TARGET_MS = 1000;

async function main(): Promise<void> {
  execFileSync(process.execPath, ['esbuild.config.mjs', '--only=trainingProcess'], { cwd: root, stdio: 'inherit' });
  const runs = mkdtempSync(join(tmpdir(), 'cnn-bench-cancel-'));
  const service = new TrainingService({ processScript: join(root, 'dist/trainingProcess.js') });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const run = service.start({ design, designText, designPath, runsFolder: runs, settings: { ...design.training, dataset: 'mnist-sample', epochs: 4, validationSplit: 0.05 }, limits: { maxBatchesPerEpoch: 60, maxTestImages: 100 } });
      const latency = new Promise<number>((resolve) =>
        run.onMessage((m) => {
          // Mid-epoch 2: a completed epoch to keep, and a batch under way.
          if (m.type !== 'progress' || m.progress.epoch !== 2 || latencies.length > i) return;
          latencies.push(-1);
          const requestedAt = performance.now();
          void run.cancel().then(() => resolve(performance.now() - requestedAt));
        }),
      );
      const outcome = await run.outcome;
      if (outcome.kind !== 'cancelled') throw new Error(`run ${i + 1} ended ${outcome.kind}, not cancelled`);
      latencies[i] = await latency;
    }
    console.log(`cancel → outcome (stop between batches, wasm, batch 64): median ${median(latencies).toFixed(0)} ms of ${latencies.map((ms) => ms.toFixed(0)).join(', ')} (target < ${TARGET_MS} ms; the process is killed after 900 ms)`);
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
}

void main();
