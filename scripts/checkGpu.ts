/**
 * `npm run check:gpu`: on a machine with a GPU, trains the demo (the MNIST CNN on the embedded
 * sample) on every GPU engine that loads there (PyTorch on CUDA or mps, tfjs-node-gpu, WebGPU) and
 * on wasm, and prints each engine's samples/s beside wasm's. Exits 1 when no GPU engine trains here,
 * after printing why each one does not.
 *
 * Options: --epochs=N (default 2), --batch-size=N, --python=PATH (tried before CNN_DESIGNER_PYTHON
 * and python3), --engines=a,b (run exactly these, e.g. pytorch,wasm on a CPU-only machine).
 */
import { join } from 'node:path';
import { formatEngineRuns, runEngine, type EngineRunFigures } from '../bench/engineRuns';
import { formatEngineList } from '../src/training/engine/listEngines';
import { defaultPythonCandidates, type PythonCandidate } from '../src/training/pytorch/findPythonWithTorch';
import { probeEnginesInProcess } from '../src/training/service/probeEnginesInProcess';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const root = join(__dirname, '..');

async function main(): Promise<number> {
  const python = option('python');
  const pythonCandidates: PythonCandidate[] = [...(python ? [{ path: python, source: 'the --python option' }] : []), ...defaultPythonCandidates()];
  const engines = await probeEnginesInProcess({ pythonCandidates });
  process.stdout.write(formatEngineList(engines));
  const gpuEngines = engines.filter((e) => e.available && e.device !== undefined && e.device !== 'cpu').map((e) => e.engine);
  const chosen = option('engines')?.split(',') ?? [...gpuEngines, 'wasm'];
  if (!option('engines') && gpuEngines.length === 0) {
    process.stdout.write('\nNo GPU engine trains on this machine (reasons above); nothing to compare with wasm.\n');
    return 1;
  }
  const epochs = Number(option('epochs') ?? 2);
  const batchSize = option('batch-size') ? Number(option('batch-size')) : undefined;
  process.stdout.write(`\nThe demo (examples/mnist-cnn.cnn.json on the embedded MNIST sample), ${epochs} epoch(s) per engine:\n`);
  const figures: EngineRunFigures[] = [];
  for (const engine of chosen) {
    figures.push(await runEngine(engine, { root, epochs, batchSize, pythonCandidates }));
    process.stdout.write(`  ${engine} done\n`);
  }
  process.stdout.write(formatEngineRuns(figures));
  return figures.some((f) => f.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
