/**
 * `npm run bench:train`: training and inference throughput (samples/s, batch 64) of the course's
 * MNIST CNN, the PyTorch tutorial CIFAR net, and ResNet-18 and MobileNetV2 at 32×32 (benchDesigns.ts)
 * on every backend that loads here, alternated in the same run with the same models in PyTorch
 * (CPU, 2 threads, Adam), with medians and ratios; where a wasm training step's time goes by
 * kernel family (kernelProfile.ts); peak resident memory of a training run here and in PyTorch, each
 * in a fresh process; memory over epochs; and the time from a fresh process start to the first
 * trained batch. The machine may be shared and noisy, hence the alternation and medians. Data is
 * random, of the right shapes. Training and inference are measured through the trainer's own
 * steps (ReplicaGroup's trainBatch and predictBatch, which evaluation uses): with the automatic
 * number of data-parallel copies (one per core on wasm and cpu), and with one copy for comparison.
 *
 * Last, whole runs through the training process (data, model, epochs, evaluation, run folder) on
 * the wasm engine and on the PyTorch engine (the design's exported module under PYTHON, on its GPU
 * when it has one, else the CPU): the PyTorch-engine row.
 *
 * Options: --rounds=N (default 5; 2 with --quick), --python=PATH (default python3 with torch),
 * --models=a,b (default all: mnist-cnn, pytorch-tutorial-net, resnet18-32, mobilenet-v2-32), --quick,
 * --profile-only (only the table of where a step's time goes), --peak-memory-only (just the peak
 * resident memory table), --convolutions-only (just the table of the convolutions alone,
 * convolutionCeiling.ts: the ratio the engines' convolution kernels allow), --both-cores-only (just
 * the table of what running on both cores costs: one copy alone, two independent copies at once,
 * the data-parallel step, PyTorch on 1 and 2 threads)
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { benchDesign, BENCH_MODELS, isBenchModel, type BenchModel } from './benchDesigns';
import { formatEngineRuns, runEngine, stopLatency } from './engineRuns';
import type { Design } from '../src/core/design';
import { compileDesign } from '../src/training/compile/compileDesign';
import { BACKEND_CHAIN, selectBackend, type BackendName } from '../src/training/engine/selectBackend';
import { installTrainingKernels, restoreBuiltInKernel } from '../src/training/engine/kernels/installTrainingKernels';
import { ConvolutionCeiling } from './convolutionCeiling';
import { KERNEL_FAMILIES, KernelProfile, type KernelFamily } from './kernelProfile';
import { automaticReplicaCount, ReplicaGroup } from '../src/training/parallel/ReplicaGroup';
import { outputKindOf } from '../src/training/trainer/outputLoss';
import { resolveTrainingSettings } from '../src/training/trainer/resolveTrainingSettings';
import { trainingObjective } from '../src/training/trainer/trainingObjective';

const BATCH = 64;
const args = process.argv.slice(2);
const option = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const ROUNDS = Number(option('rounds') ?? (quick ? 2 : 5));
const PYTHON = option('python') ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const MODELS: BenchModel[] = (option('models') ?? BENCH_MODELS.join(',')).split(',').map((name) => {
  if (!isBenchModel(name)) throw new Error(`--models: "${name}" is none of ${BENCH_MODELS.join(', ')}`);
  return name;
});
type ModelName = BenchModel;
/** The large nets, whose steps take hundreds of milliseconds: fewer rounds keep the default run to minutes. */
const HEAVY: ReadonlySet<ModelName> = new Set(['resnet18-32', 'mobilenet-v2-32']);

const root = path.resolve(__dirname, '..', '..');
const loadDesign = (name: ModelName): Design => benchDesign(name, root);

/** NLL after log-softmax, cross-entropy after softmax: what the course uses for each model. */
function lossFor(design: Design): (labels: tf.Tensor, output: tf.Tensor) => tf.Tensor {
  const last = design.nodes[design.nodes.length - 1];
  if (last.params.activation === 'logSoftmax') return (labels, output) => tf.neg(tf.mean(tf.sum(tf.mul(labels, output), -1)));
  return (labels, output) => tf.losses.softmaxCrossEntropy(labels, tf.log(tf.add(output, 1e-7)));
}

interface Bench {
  model: tf.LayersModel;
  xs: tf.Tensor[];
  ys: tf.Tensor[];
}

function prepare(name: ModelName): Bench {
  const design = loadDesign(name);
  const model = compileDesign(design);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: lossFor(design) });
  const shape = model.inputs[0].shape.slice(1) as number[];
  const xs = Array.from({ length: 4 }, (_, i) => tf.randomNormal([BATCH, ...shape], 0, 1, 'float32', i));
  const ys = Array.from({ length: 4 }, (_, i) => tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', i + 10) as tf.Tensor1D, 10));
  return { model, xs, ys };
}

function dispose(bench: Bench): void {
  bench.model.optimizer.dispose();
  bench.model.dispose();
  tf.dispose([...bench.xs, ...bench.ys]);
}

interface Throughput {
  /** Samples per second of wall time. */
  wall: number;
  /** Samples per second of this process's CPU time (all threads): what a loaded machine disturbs least. */
  cpu: number;
}

/**
 * Batches per measurement, so that each takes about `targetSeconds` at the speed seen in the
 * warm-up. The warm-up runs for a second: V8 compiles the wasm kernels and the JavaScript around
 * them to optimized code in the background during the first few hundred steps (a replica's step
 * at batch 32 went from 9.5 to 7.4 ms), and a real run spends nearly all its time after that.
 */
async function throughput(step: (i: number) => Promise<void>, targetSeconds: number, warmUpSeconds = 1): Promise<Throughput> {
  let warmBatches = 0;
  const warmStart = performance.now();
  while (warmBatches < 2 || performance.now() - warmStart < warmUpSeconds * 1000) await step(warmBatches++);
  const perBatch = (performance.now() - warmStart) / 1000 / warmBatches;
  const batches = Math.max(2, Math.min(200, Math.round(targetSeconds / perBatch)));
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < batches; i++) await step(i);
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (BATCH * batches) / ((performance.now() - start) / 1000), cpu: (BATCH * batches) / ((cpu.user + cpu.system) / 1e6) };
}

/** Per data-parallel measurement, the steps' times: the process's own slice, its wait for the replicas, their slices. */
const balance = new Map<string, { local: number; waited: number; remote: number[] }[]>();

/** The trainer's step for a model: its data-parallel group, and batches as the trainer feeds them. */
interface TrainerBench {
  group: ReplicaGroup;
  model: tf.LayersModel;
  batches: { pixels: Float32Array; labels: Int32Array }[];
}

async function prepareTrainer(name: ModelName, replicas: number): Promise<TrainerBench> {
  const design = loadDesign(name);
  const model = compileDesign(design);
  const kind = outputKindOf(model);
  const settings = resolveTrainingSettings({ optimizer: 'adam', learningRate: 1e-3, batchSize: BATCH });
  const group = await ReplicaGroup.start({ design, model, objective: trainingObjective(kind, 0, model.trainableWeights), backend: tf.getBackend(), settings, kind, classCount: 10, replicas });
  const size = (model.inputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const batches = Array.from({ length: 4 }, (_, i) => ({
    pixels: tf.tidy(() => tf.randomNormal([BATCH * size], 0, 1, 'float32', i).dataSync() as Float32Array),
    labels: tf.tidy(() => tf.randomUniform([BATCH], 0, 10, 'int32', i + 10).dataSync() as Int32Array),
  }));
  return { group, model, batches };
}

async function disposeTrainer(bench: TrainerBench): Promise<void> {
  await bench.group.dispose();
  bench.model.dispose();
}

async function measureOurs(name: ModelName, mode: 'train' | 'infer', seconds: number, replicas = 1, warmUpSeconds = 1): Promise<Throughput> {
  if (mode === 'train') {
    const trainer = await prepareTrainer(name, replicas);
    try {
      const result = await throughput(async (i) => {
        const batch = trainer.batches[i % trainer.batches.length];
        await trainer.group.trainBatch(batch.pixels, batch.labels, 1e-3);
      }, seconds, warmUpSeconds);
      if (replicas > 1) balance.set(`${name} ×${replicas}`, [...(balance.get(`${name} ×${replicas}`) ?? []), ...trainer.group.timings]);
      return result;
    } finally {
      await disposeTrainer(trainer);
    }
  }
  if (replicas > 1) {
    const trainer = await prepareTrainer(name, replicas);
    try {
      await trainer.group.synchronize();
      return await throughput(async (i) => {
        await trainer.group.predictBatch(trainer.batches[i % trainer.batches.length].pixels, BATCH);
      }, seconds, warmUpSeconds);
    } finally {
      await disposeTrainer(trainer);
    }
  }
  const bench = prepare(name);
  try {
    return await throughput(async (i) => {
      const out = bench.model.predict(bench.xs[i % bench.xs.length]) as tf.Tensor;
      await out.data();
      out.dispose();
    }, seconds, warmUpSeconds);
  } finally {
    dispose(bench);
  }
}

class TorchBaseline {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ReturnType<typeof spawn>) {
    this.lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }
  static async start(): Promise<TorchBaseline | string> {
    const check = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    if (check.status !== 0) return `PyTorch is not importable from ${PYTHON}: ${check.stderr.trim().split('\n').pop()}`;
    const child = spawn(PYTHON, [path.join(root, 'bench', 'torchBaseline.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const baseline = new TorchBaseline(child);
    const hello = JSON.parse((await baseline.lines.next()).value as string) as { torch: string; threads: number };
    console.log(`PyTorch ${hello.torch}, ${hello.threads} threads`);
    return baseline;
  }
  /** PyTorch's trainable parameter count of a model: the check that both sides run the same architecture. */
  async parameters(name: ModelName): Promise<number> {
    this.child.stdin!.write(`params ${name} 0\n`);
    return (JSON.parse((await this.lines.next()).value as string) as { trainable: number }).trainable;
  }
  /** Samples/s of `batches` steps after a second's warm-up, on `threads` threads (2 unless told). */
  async measure(name: ModelName, mode: 'train' | 'infer', batches: number, threads = 2): Promise<Throughput> {
    this.child.stdin!.write(`${mode} ${name} ${batches} ${threads}\n`);
    const answer = JSON.parse((await this.lines.next()).value as string) as { samplesPerSecond: number; samplesPerCpuSecond: number };
    return { wall: answer.samplesPerSecond, cpu: answer.samplesPerCpuSecond };
  }
  /** Milliseconds of one pass over the convolutions alone, with `threads` threads (convolutionCeiling.ts). */
  async convolutions(mode: 'train' | 'infer', threads: number, seconds: number, ceiling: ConvolutionCeiling): Promise<number> {
    this.child.stdin!.write(`convs ${mode} ${threads} ${seconds} ${JSON.stringify(ceiling.shapes)}\n`);
    return (JSON.parse((await this.lines.next()).value as string) as { ms: number }).ms;
  }
  stop(): void {
    this.child.stdin!.end();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

/** Memory per epoch while training: tensors, TF.js bytes and the process's resident set. */
async function memoryOverEpochs(name: ModelName, epochs: number, batchesPerEpoch: number, replicas: number): Promise<void> {
  const bench = await prepareTrainer(name, replicas);
  const rows: string[] = [];
  const rss: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let i = 0; i < batchesPerEpoch; i++) await bench.group.trainBatch(bench.batches[i % 4].pixels, bench.batches[i % 4].labels, 1e-3);
    await bench.group.synchronize();
    const m = tf.memory();
    rss.push(process.memoryUsage().rss / 2 ** 20);
    rows.push(`epoch ${String(epoch).padStart(2)}: ${m.numTensors} tensors, ${(m.numBytes / 2 ** 20).toFixed(2)} MiB in TF.js, RSS ${rss[rss.length - 1].toFixed(0)} MiB`);
  }
  await disposeTrainer(bench);
  console.log(rows.join('\n'));
  console.log(`RSS growth from epoch 2 to ${epochs}: ${(rss[rss.length - 1] - rss[1]).toFixed(1)} MiB`);
}

/** A wasm training step's time by kernel family, one copy (the main thread's), for each model: a table, ms per step and share. */
async function profileTable(): Promise<void> {
  const columns: { name: ModelName; step: number; families: Map<KernelFamily, number>; others: [string, number][] }[] = [];
  for (const name of MODELS) {
    const trainer = await prepareTrainer(name, 1);
    try {
      const step = async (i: number) => {
        const batch = trainer.batches[i % trainer.batches.length];
        await trainer.group.trainBatch(batch.pixels, batch.labels, 1e-3);
      };
      // Warm up without the timers (V8 optimizes the kernels' JavaScript meanwhile), then time the same steps with them.
      const warmStart = performance.now();
      for (let i = 0; i < 3 || performance.now() - warmStart < 1000; i++) await step(i);
      const profile = new KernelProfile('wasm', trainer.model);
      try {
        await step(0);
        profile.reset();
        const steps = HEAVY.has(name) ? (quick ? 2 : 4) : quick ? 20 : 50;
        const start = performance.now();
        for (let i = 0; i < steps; i++) await step(i);
        const elapsed = (performance.now() - start) / steps;
        const others = [...profile.others].map(([kernel, ms]): [string, number] => [kernel, ms / steps]).sort((a, b) => b[1] - a[1]);
        columns.push({ name, step: elapsed, families: new Map([...profile.milliseconds].map(([f, ms]) => [f, ms / steps])), others });
      } finally {
        profile.dispose();
      }
    } finally {
      await disposeTrainer(trainer);
    }
  }
  const width = Math.max(...columns.map((c) => c.name.length), 16);
  const cell = (ms: number, step: number) => `${ms.toFixed(ms >= 100 ? 0 : ms >= 10 ? 1 : 2)} ms ${((100 * ms) / step).toFixed(0).padStart(3)}%`.padStart(width);
  console.log(`\nwhere a wasm training step goes (one copy, batch ${BATCH}; kernel time by family, ms per step and share of the step):`);
  console.log(`${''.padEnd(22)}${columns.map((c) => c.name.padStart(width + 2)).join('')}`);
  for (const family of KERNEL_FAMILIES) {
    if (columns.every((c) => c.families.get(family)! < 0.005)) continue;
    console.log(`${family.padEnd(22)}${columns.map((c) => `  ${cell(c.families.get(family)!, c.step)}`).join('')}`);
  }
  console.log(`${'outside kernels'.padEnd(22)}${columns.map((c) => `  ${cell(c.step - [...c.families.values()].reduce((a, b) => a + b, 0), c.step)}`).join('')}`);
  console.log(`${'whole step'.padEnd(22)}${columns.map((c) => `  ${cell(c.step, c.step)}`).join('')}`);
  console.log(`(outside kernels: the optimizer's update in JavaScript, reading gradients back, TF.js' bookkeeping)`);
  for (const c of columns) console.log(`other kernels of ${c.name}: ${c.others.slice(0, 4).map(([kernel, ms]) => `${kernel} ${ms.toFixed(ms >= 10 ? 0 : 2)} ms`).join(', ')}`);
}

/**
 * Each net's convolutions alone, here on one core and in PyTorch on one and two threads, alternated:
 * the ratio their kernels allow, beside the ratio the whole net reached and the bound the
 * convolutions put on it (`wholeNet`: that ratio, 2 copies against 2 threads, where measured, and
 * PyTorch's whole step in ms). "Ours on 2 cores" assumes the copies scale perfectly, so the bound
 * is an upper one.
 */
async function convolutionCeilingTable(torch: TorchBaseline, wholeNet: (name: ModelName, mode: 'train' | 'infer') => { ratio?: number; pytorchMs: number } | undefined): Promise<void> {
  await selectBackend({ preferred: 'wasm', smokeTest: false });
  const rounds = quick ? 1 : 3;
  console.log(`\nthe convolutions alone (batch ${BATCH}, each layer's padding, the gradients a training step needs; the rates count every tap): ms per pass and GMAC/s; ratio = PyTorch's time / ours`);
  console.log(`${''.padEnd(28)}${'ours, 1 core'.padStart(20)}${'PyTorch, 1 thread'.padStart(20)}${'ratio'.padStart(7)}${'PyTorch, 2 threads'.padStart(20)}${'ratio, ours ×2'.padStart(16)}${'whole net'.padStart(11)}${'bound'.padStart(7)}${'bound, 1 core'.padStart(15)}`);
  const rows: [string, ConvolutionCeiling, ('train' | 'infer')[]][] = MODELS.map((name) => {
    const model = compileDesign(loadDesign(name));
    const ceiling = ConvolutionCeiling.of(model, BATCH);
    model.dispose();
    return [name, ceiling, ['train', 'infer']];
  });
  rows.push(['matrix product 1024³', ConvolutionCeiling.matrixProduct(1024, 1024), ['infer']]);
  for (const [name, ceiling, modes] of rows) {
    for (const mode of modes) {
      const seconds = HEAVY.has(name as ModelName) ? 2 : 1;
      const ours: number[] = [];
      const one: number[] = [];
      const two: number[] = [];
      // PyTorch's whole step on one thread, for the bound per core.
      const wholeOne: number[] = [];
      for (let round = 0; round < rounds; round++) {
        ours.push(ceiling.timeHere(mode, seconds));
        one.push(await torch.convolutions(mode, 1, seconds, ceiling));
        two.push(await torch.convolutions(mode, 2, seconds, ceiling));
        if (isBenchModel(name)) {
          const batches = Math.max(3, Math.round((mode === 'train' ? 30 : 60) * (HEAVY.has(name) ? 0.1 : 1)));
          wholeOne.push((1000 * BATCH) / (await torch.measure(name, mode, batches, 1)).wall);
        }
      }
      const gmacs = (ms: number) => ceiling.macs(mode) / ms / 1e6;
      const cell = (ms: number) => `${ms.toFixed(ms >= 100 ? 0 : 1)} ms, ${gmacs(ms).toFixed(1)}`.padStart(20);
      const [a, b, c] = [median(ours), median(one), median(two)];
      const net = isBenchModel(name) ? wholeNet(name, mode) : undefined;
      const label = name.startsWith('matrix') ? name : `${name} ${mode}`;
      console.log(
        `${label.padEnd(28)}${cell(a)}${cell(b)}${(b / a).toFixed(2).padStart(7)}${cell(c)}${((2 * c) / a).toFixed(2).padStart(16)}` +
          `${(net?.ratio?.toFixed(2) ?? '–').padStart(11)}${(net ? (net.pytorchMs / (a / 2)).toFixed(2) : '–').padStart(7)}` +
          `${(wholeOne.length ? (median(wholeOne) / a).toFixed(2) : '–').padStart(15)}`,
      );
    }
  }
  console.log(
    "(ours ×2: our convolutions on 2 cores, taken as half one core's time, against PyTorch on 2 threads. Whole net: the wall-time ratio of the medians above, 2 copies against 2 threads. " +
      "Bound: PyTorch's whole step on 2 threads over our convolutions alone on 2 cores, the most the whole net's ratio could be with these convolution kernels if nothing else in a step cost time " +
      "and two busy cores ran as fast as one (on this machine each runs at about 0.8 of one alone: the both-cores table). Bound, 1 core: PyTorch's whole step on 1 thread over our convolutions alone on 1 core, which assumes nothing about scaling)",
  );
}

/** This process's peak resident set (VmHWM) in MiB, or its current one where /proc is absent. */
function peakResidentMiB(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss / 2 ** 20;
}

const PEAK_BATCHES = 8;

/** A fresh process trains `--peak-rss=<model>` for PEAK_BATCHES batches on wasm with the automatic copies and reports its peak resident set. */
async function peakRssChild(name: ModelName): Promise<void> {
  await selectBackend({ preferred: 'wasm', smokeTest: false });
  const trainer = await prepareTrainer(name, automaticReplicaCount('wasm', BATCH));
  for (let i = 0; i < PEAK_BATCHES; i++) await trainer.group.trainBatch(trainer.batches[i % 4].pixels, trainer.batches[i % 4].labels, 1e-3);
  await trainer.group.synchronize();
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
  const copies = (await trainer.group.memory()).map((m) => ({ wasm: mib(m.wasmHeap), js: mib(m.jsHeap), buffers: mib(m.arrayBuffers) }));
  console.log(JSON.stringify({ peakMiB: peakResidentMiB(), replicas: trainer.group.size, copies }));
  await disposeTrainer(trainer);
}

/** Peak resident memory of a short training run, ours and PyTorch's, each in a fresh process. */
function peakRssTable(): void {
  console.log(`\npeak resident memory of a training run (fresh process, ${PEAK_BATCHES} batches of ${BATCH}, Adam; ours on wasm with its data-parallel copies, PyTorch with 2 threads):`);
  for (const name of MODELS) {
    const ours = spawnSync(process.execPath, [__filename, `--peak-rss=${name}`], { encoding: 'utf8' });
    const theirs = spawnSync(PYTHON, [path.join(root, 'bench', 'torchBaseline.py'), '--peak-rss', name, String(PEAK_BATCHES)], { encoding: 'utf8' });
    type Peak = { peakMiB: number; replicas?: number; copies?: { wasm: number; js: number; buffers: number }[] };
    const read = (child: ReturnType<typeof spawnSync>): Peak | undefined => {
      try {
        return JSON.parse(String(child.stdout).trim().split('\n').pop() ?? '') as Peak;
      } catch {
        return undefined;
      }
    };
    const a = read(ours);
    const b = read(theirs);
    const text = (r: typeof a, child: ReturnType<typeof spawnSync>) => (r ? `${r.peakMiB.toFixed(0)} MiB` : `failed (${String(child.stderr).trim().split('\n').pop()})`);
    console.log(`  ${name.padEnd(22)} ours ${text(a, ours)}${a?.replicas ? ` (${a.replicas} copies)` : ''}, PyTorch ${text(b, theirs)}${a && b ? `, ratio ${(a.peakMiB / b.peakMiB).toFixed(2)}` : ''}`);
    // Where ours sits (MiB per copy, the process's first): the wasm heap keeps its largest step resident; shared buffers count in every copy that maps them.
    if (a?.copies) console.log(`  ${''.padEnd(22)} per copy: ${a.copies.map((c) => `wasm heap ${c.wasm}, JS heap ${c.js}, array buffers ${c.buffers}`).join(' | ')}`);
  }
}

/** Seconds each process of the two-core table trains for, after its warm-up. */
const BOTH_CORES_SECONDS = 3;

/**
 * A fresh process trains `--steps=<model>,<copies>,<batch>` on wasm (synchronous steps, random
 * data) for BOTH_CORES_SECONDS after a second's warm-up, once `--start-at=<epoch ms>` has come,
 * and prints its samples per second of wall time.
 */
async function stepsChild(spec: string): Promise<void> {
  const [name, copies, batch] = spec.split(',');
  await selectBackend({ preferred: 'wasm', smokeTest: false });
  const trainer = await prepareTrainer(name as ModelName, Number(copies));
  const size = Number(batch);
  const startAt = Number(option('start-at') ?? 0);
  while (Date.now() < startAt) await new Promise((resolve) => setTimeout(resolve, 5));
  const result = await throughput(async (i) => {
    const b = trainer.batches[i % trainer.batches.length];
    await trainer.group.trainBatch(b.pixels.subarray(0, (b.pixels.length / BATCH) * size), b.labels.subarray(0, size), 1e-3);
  }, BOTH_CORES_SECONDS);
  // throughput() counts BATCH samples per step.
  console.log(JSON.stringify({ samplesPerSecond: (result.wall * size) / BATCH }));
  await disposeTrainer(trainer);
}

/** Runs stepsChild in `processes` fresh processes at once (each starting its timed steps together) and returns their rates. */
async function stepsInProcesses(name: ModelName, copies: number, batch: number, processes: number): Promise<number[]> {
  // Far enough ahead for every process to load, compile and warm its copies first.
  const startAt = Date.now() + 6000;
  const runs = Array.from({ length: processes }, () =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [__filename, `--steps=${name},${copies},${batch}`, `--start-at=${startAt}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk) => (out += String(chunk)));
      child.on('close', (code) => {
        try {
          resolve((JSON.parse(out.trim().split('\n').pop() ?? '') as { samplesPerSecond: number }).samplesPerSecond);
        } catch {
          reject(new Error(`the steps process for ${name} failed (exit ${code})`));
        }
      });
    }),
  );
  return Promise.all(runs);
}

/**
 * What using both cores costs on this machine, apart from anything the data-parallel step does:
 * one copy training slices of half a batch alone, then two such processes at once (nothing shared
 * between them, so whatever they lose to each other is the machine's: shared caches, memory,
 * clock), then the data-parallel step itself (2 copies, the batch split between them); and
 * PyTorch's whole step on 1 thread and on 2. The light nets only (the large ones take minutes).
 */
async function bothCoresTable(torch: TorchBaseline | string): Promise<void> {
  const half = BATCH / 2;
  console.log(`
both cores at once (wasm training, random data; samples/s of wall time, ${BOTH_CORES_SECONDS} s each after a warm-up, fresh processes):`);
  for (const name of MODELS.filter((m) => !HEAVY.has(m))) {
    const [alone] = await stepsInProcesses(name, 1, half, 1);
    const pair = await stepsInProcesses(name, 1, half, 2);
    const [group] = await stepsInProcesses(name, 2, BATCH, 1);
    const each = pair.reduce((a, b) => a + b, 0) / pair.length;
    console.log(`  ${name}: one copy alone, slices of ${half}: ${fmt(alone)}; two such processes at once: ${pair.map(fmt).join(' and ')} (each ${(each / alone).toFixed(2)}× alone, together ${((2 * each) / alone).toFixed(2)}×)`);
    console.log(`  ${''.padEnd(name.length)}  our 2 copies on batches of ${BATCH}: ${fmt(group)} (${(group / alone).toFixed(2)}× one copy alone, ${(group / (2 * each)).toFixed(2)} of the two independent processes)`);
    if (typeof torch !== 'string') {
      const batches = quick ? 30 : 60;
      const one = (await torch.measure(name, 'train', batches, 1)).wall;
      const two = (await torch.measure(name, 'train', batches, 2)).wall;
      console.log(`  ${''.padEnd(name.length)}  PyTorch, batches of ${BATCH}: 1 thread ${fmt(one)}, 2 threads ${fmt(two)} (${(two / one).toFixed(2)}×)`);
    }
  }
  console.log('(together: both processes\' samples/s over one alone, 2.00 if the cores did not slow each other; the data-parallel step can at best match that)');
}

/** A fresh process: load TF.js, pick the backend (with its smoke test), compile, start the copies, train one batch. */
async function firstBatchChild(): Promise<void> {
  const report = await selectBackend({ smokeTest: true });
  const replicas = automaticReplicaCount(report.backend, BATCH);
  const bench = await prepareTrainer('mnist-cnn', replicas);
  await bench.group.trainBatch(bench.batches[0].pixels, bench.batches[0].labels, 1e-3);
  console.log(JSON.stringify({ backend: report.backend, replicas, uptime: process.uptime() }));
  await disposeTrainer(bench);
}

async function main(): Promise<void> {
  if (args.includes('--first-batch')) return firstBatchChild();
  const steps = option('steps');
  if (steps) return stepsChild(steps);
  if (args.includes('--both-cores-only')) {
    const torch = await TorchBaseline.start();
    await bothCoresTable(torch);
    if (typeof torch !== 'string') torch.stop();
    return;
  }
  const peakModel = option('peak-rss');
  if (peakModel) return peakRssChild(peakModel as ModelName);
  if (args.includes('--profile-only')) {
    await selectBackend({ preferred: 'wasm', smokeTest: false });
    installTrainingKernels('wasm');
    return profileTable();
  }
  if (args.includes('--peak-memory-only')) return peakRssTable();
  if (args.includes('--convolutions-only')) {
    const torch = await TorchBaseline.start();
    if (typeof torch === 'string') throw new Error(torch);
    // PyTorch's whole step, for the bound: one measurement each, as in a quick run.
    const pytorchMs = new Map<string, number>();
    for (const name of MODELS) {
      for (const mode of ['train', 'infer'] as const) {
        const batches = Math.max(3, Math.round((mode === 'train' ? 30 : 60) * (HEAVY.has(name) ? 0.1 : 1)));
        pytorchMs.set(`${name}|${mode}`, (1000 * BATCH) / (await torch.measure(name, mode, batches)).wall);
      }
    }
    await convolutionCeilingTable(torch, (name, mode) => ({ pytorchMs: pytorchMs.get(`${name}|${mode}`)! }));
    return torch.stop();
  }
  console.log(`TF.js ${tf.version.tfjs}, Node ${process.version}, batch ${BATCH}, ${ROUNDS} rounds, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  const available: BackendName[] = [];
  for (const name of BACKEND_CHAIN) {
    try {
      await selectBackend({ preferred: name });
      available.push(name);
    } catch (error) {
      console.log(`backend ${name}: not available (${(error as Error).message.replace(/^The \S+ backend cannot train here: \S+: /, '')})`);
    }
  }
  const torch = await TorchBaseline.start();
  if (typeof torch === 'string') console.log(torch);

  type Key = string;
  const results = new Map<Key, Throughput[]>();
  const add = (key: Key, value: Throughput): void => void results.set(key, [...(results.get(key) ?? []), value]);
  if (typeof torch !== 'string') {
    for (const name of MODELS) {
      const model = compileDesign(loadDesign(name));
      const ours = model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
      model.dispose();
      const theirs = await torch.parameters(name);
      console.log(`${name}: ${ours.toLocaleString('en')} trainable parameters here, ${theirs.toLocaleString('en')} in PyTorch${ours === theirs ? '' : '  ← DIFFERENT ARCHITECTURES'}`);
    }
  }
  const heavyRounds = Math.min(ROUNDS, quick ? 1 : 3);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const name of MODELS) {
      if (HEAVY.has(name) && round > heavyRounds) continue;
      for (const backend of available) {
        await selectBackend({ preferred: backend, smokeTest: false });
        // The pure-JS backend is two orders slower: fewer, shorter measurements keep the run bounded.
        const seconds = backend === 'cpu' ? 1 : quick ? 1 : 2;
        const warmUp = backend === 'cpu' ? 0 : 1;
        // The large nets on the pure-JS backend would take minutes per step.
        if ((backend !== 'cpu' || round <= 2) && !(backend === 'cpu' && HEAVY.has(name))) {
          const replicas = automaticReplicaCount(backend, BATCH);
          for (const mode of ['train', 'infer'] as const) {
            add(`${name}|${backend}|${mode}`, await measureOurs(name, mode, seconds, replicas, warmUp));
            if (replicas > 1 && backend !== 'cpu') add(`${name}|${backend} ×1|${mode}`, await measureOurs(name, mode, seconds, 1, warmUp));
          }
        }
      }
      if (typeof torch !== 'string') {
        const scale = HEAVY.has(name) ? 0.1 : 1;
        add(`${name}|pytorch|train`, await torch.measure(name, 'train', Math.max(3, Math.round((quick ? 30 : 60) * scale))));
        add(`${name}|pytorch|infer`, await torch.measure(name, 'infer', Math.max(5, Math.round((quick ? 60 : 150) * scale))));
      }
    }
    console.log(`round ${round}/${ROUNDS} done`);
  }

  for (const measure of ['wall', 'cpu'] as const) {
    console.log(
      measure === 'wall'
        ? '\nsamples/s of wall time (median of rounds; all rounds in brackets), ratio = ours / PyTorch of the medians (and of the best rounds, nearest to a quiet machine)'
        : '\nsamples per CPU-second (all threads of the process; less disturbed by other load), ratio = ours / PyTorch',
    );
    for (const name of MODELS) {
      for (const mode of ['train', 'infer'] as const) {
        const base = results.get(`${name}|pytorch|${mode}`)?.map((r) => r[measure]);
        const baseMedian = base ? median(base) : undefined;
        console.log(`${name} ${mode}:${baseMedian ? `  PyTorch ${fmt(baseMedian)} [${base!.map(fmt).join(', ')}]` : ''}`);
        for (const backend of available.flatMap((b) => [b, `${b} ×1`])) {
          const values = results.get(`${name}|${backend}|${mode}`)?.map((r) => r[measure]);
          if (!values) continue;
          const m = median(values);
          const best = baseMedian ? ` (best ${(Math.max(...values) / Math.max(...base!)).toFixed(2)})` : '';
          const label = backend.includes('×') ? backend : `${backend} ×${automaticReplicaCount(backend, BATCH)}`;
          console.log(`  ${label.padEnd(9)} ${fmt(m).padStart(6)} [${values.map(fmt).join(', ')}]${baseMedian ? `  ratio ${(m / baseMedian).toFixed(2)}${best}` : ''}`);
        }
      }
    }
  }

  if (typeof torch !== 'string') {
    const wallRatio = (name: ModelName, mode: 'train' | 'infer') => {
      const ours = results.get(`${name}|wasm|${mode}`);
      const theirs = results.get(`${name}|pytorch|${mode}`);
      if (!ours || !theirs) return undefined;
      const pytorch = median(theirs.map((r) => r.wall));
      return { ratio: median(ours.map((r) => r.wall)) / pytorch, pytorchMs: (1000 * BATCH) / pytorch };
    };
    if (available.includes('wasm')) await convolutionCeilingTable(torch, wallRatio);
    torch.stop();
  }

  for (const [key, steps] of balance) {
    const ms = (values: number[]) => `${median(values).toFixed(2)} ms`;
    console.log(
      `\n${key}, median step: the process's own slice ${ms(steps.map((t) => t.local))} (its share of the last update included), a replica's slice ${ms(steps.flatMap((t) => t.remote))}, then waiting for the slowest replica ${ms(steps.map((t) => t.waited))}`,
    );
  }

  if (available.includes('wasm')) {
    const bothCoresTorch = await TorchBaseline.start();
    await bothCoresTable(bothCoresTorch);
    if (typeof bothCoresTorch !== 'string') bothCoresTorch.stop();
  }

  // Which input-gradient kernel is faster on wasm: TF.js' own, or the project's.
  if (available.includes('wasm')) {
    await selectBackend({ preferred: 'wasm', smokeTest: false });
    for (const name of MODELS.filter((m) => !HEAVY.has(m))) {
      const variants: Record<string, Throughput[]> = { builtIn: [], ours: [] };
      for (let round = 0; round < (quick ? 1 : 3); round++) {
        restoreBuiltInKernel('Conv2DBackpropInput', 'wasm');
        variants.builtIn.push(await measureOurs(name, 'train', 1.5));
        installTrainingKernels('wasm', { replaceInputGradient: true });
        variants.ours.push(await measureOurs(name, 'train', 1.5));
      }
      const text = (v: Throughput[]): string => `${fmt(median(v.map((x) => x.wall)))} samples/s (${fmt(median(v.map((x) => x.cpu)))} per CPU-s)`;
      console.log(`\nwasm Conv2DBackpropInput, ${name} training (one copy): built-in ${text(variants.builtIn)}, the project's (matrix product or flipped-filter conv) ${text(variants.ours)}`);
    }
    installTrainingKernels('wasm');

    await profileTable();

    console.log(`\nmemory over 10 epochs of 20 batches (wasm, MNIST CNN, ${automaticReplicaCount('wasm', BATCH)} copies; this process):`);
    await memoryOverEpochs('mnist-cnn', 10, 20, automaticReplicaCount('wasm', BATCH));
  }

  if (available.includes('wasm') && typeof torch !== 'string') peakRssTable();

  const starts: { backend: string; replicas: number; uptime: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const child = spawnSync(process.execPath, [__filename, '--first-batch'], { encoding: 'utf8' });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    starts.push(JSON.parse(line) as { backend: string; replicas: number; uptime: number });
  }
  console.log(`\nfresh process start → backend chosen (with smoke test) → model compiled → copies started → first batch trained: ${starts.map((s) => `${s.uptime.toFixed(2)} s`).join(', ')} (${starts[0].backend}, ${starts[0].replicas} copies)`);

  const epochs = quick ? 1 : 2;
  console.log(`\nwhole runs in a training process, MNIST CNN on the embedded sample, ${epochs} epoch(s), batch 64: the wasm engine and the PyTorch engine (${PYTHON})`);
  const runs = [];
  for (const engine of ['wasm', 'pytorch']) runs.push(await runEngine(engine, { root, epochs, pythonCandidates: [{ path: PYTHON, source: 'the --python option' }] }));
  console.log(formatEngineRuns(runs).trimEnd());
  const stops: string[] = [];
  for (const engine of ['wasm', 'pytorch']) {
    const ms = await stopLatency(engine, { root, epochs: 2, pythonCandidates: [{ path: PYTHON, source: 'the --python option' }] });
    stops.push(`${engine} ${typeof ms === 'number' ? `${ms} ms` : ms}`);
  }
  console.log(`Stop → run ended (asked during the first epoch): ${stops.join(', ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
