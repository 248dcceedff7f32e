import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ResolvedTrainingSettings } from './resolveTrainingSettings';
import type { TrainingResult } from './trainingReport';

/** What a run trained, recorded in run.json so a result can always be traced back to its inputs. */
export interface RunManifest {
  designName: string;
  designFile?: string;
  /** sha256 of the design text exactly as trained (also saved as design.cnn.json). */
  designHash: string;
  startedAt: string;
  hyperparameters: ResolvedTrainingSettings;
  dataset: { id: string; description: string; contentHash: string; trainCount: number; validationCount: number; testCount: number; classNames: string[] };
  normalization: { mean: number[]; std: number[] };
  seed: number;
  backend: { name: string; attempts?: { backend: string; ok: boolean; reason?: string }[] };
  versions: { tfjs: string; node: string; cnnDesigner: string; tfjsPackages: Record<string, string>; wasmBackend: string };
  /** Caps a quick run trained under (`--max-batches`: batches per epoch), absent for a full run. */
  limits?: { maxTrainImages?: number; maxTestImages?: number; maxBatchesPerEpoch?: number };
  /** Copies of the model that trained in parallel on slices of each batch (1: none). */
  replicas?: number;
  /** The engine that trained: its name, the device it ran on and its versions (absent in runs made before it existed). */
  engine?: RunEngine;
}

export interface RunEngine {
  /** A TF.js backend (tensorflow-gpu, tensorflow, webgpu, wasm, cpu) or pytorch. */
  name: string;
  /** cpu or gpu for TF.js; cuda, mps or cpu for PyTorch. */
  device: string;
  deviceName?: string;
  /** Data-parallel processes (PyTorch under torchrun). */
  processes?: number;
  /** The Python interpreter (PyTorch) and where it was found. */
  interpreter?: string;
  interpreterSource?: string;
  versions: Record<string, string>;
}

/**
 * run.json and design.cnn.json are written at the start; model/ and metrics.json (status `running`)
 * after every epoch, so an interrupted run keeps its curves and checkpoint; metrics.json again at the end.
 */
export const RUN_FILES = { manifest: 'run.json', metrics: 'metrics.json', design: 'design.cnn.json', model: 'model' } as const;

export const hashText = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** `examples/mnist-cnn.cnn.json` → `examples/mnist-cnn.runs`: the folder holding that design's runs. */
export function runsFolderFor(designPath: string): string {
  const name = basename(designPath).replace(/\.cnn\.json$|\.json$/, '');
  return join(dirname(designPath), `${name}.runs`);
}

/** Creates a fresh, uniquely named run folder (UTC timestamp) under `runsFolder`. */
export function createRunFolder(runsFolder: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  mkdirSync(runsFolder, { recursive: true });
  for (let i = 0; ; i++) {
    const folder = join(runsFolder, i === 0 ? stamp : `${stamp}-${i}`);
    if (!existsSync(folder)) {
      mkdirSync(folder);
      return folder;
    }
  }
}

export function writeRunStart(folder: string, manifest: RunManifest, designText: string): void {
  writeFileSync(join(folder, RUN_FILES.design), designText);
  writeFileSync(join(folder, RUN_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function writeRunMetrics(folder: string, result: TrainingResult): void {
  writeFileSync(join(folder, RUN_FILES.metrics), `${JSON.stringify(result)}\n`);
}

/** A past run as listed for comparison. */
export interface RunListing {
  folder: string;
  manifest: RunManifest;
  metrics?: TrainingResult;
}

/** The runs of a design, oldest first (folder names are timestamps). */
export function listRuns(runsFolder: string): RunListing[] {
  if (!existsSync(runsFolder)) return [];
  return readdirSync(runsFolder)
    .sort()
    .map((name) => join(runsFolder, name))
    .filter((folder) => existsSync(join(folder, RUN_FILES.manifest)))
    .map((folder) => ({
      folder,
      manifest: JSON.parse(readFileSync(join(folder, RUN_FILES.manifest), 'utf8')) as RunManifest,
      metrics: existsSync(join(folder, RUN_FILES.metrics)) ? (JSON.parse(readFileSync(join(folder, RUN_FILES.metrics), 'utf8')) as TrainingResult) : undefined,
    }));
}
