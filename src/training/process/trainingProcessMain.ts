/**
 * Entry point of a training process (bundled as dist/trainingProcess.js): forked by the
 * TrainingService, one per run, so the host stays responsive and survives a crash of the engine.
 * It waits for `start`, picks the backend, trains, reports over IPC and exits. The same bundle,
 * loaded in a worker thread, is one of the run's data-parallel replicas.
 */
import { isMainThread } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { serveAsReplica } from '../parallel/replicaWorkerMain';
import { probeEngines, type ProbeEnginesOptions } from '../engine/probeEngines';
import { selectBackend } from '../engine/selectBackend';
import { exitWithParent } from './exitWithParent';
import { isHostMessage, type HostMessage, type ProcessMessage, type TrainingRunRequest } from '../protocol/trainingProtocol';
import { choosePyTorch } from '../pytorch/choosePyTorch';
import { trainWithPyTorch } from '../pytorch/trainWithPyTorch';
import { trainDesign, type TrainerHooks } from '../trainer/trainDesign';
import type { TrainingResult } from '../trainer/trainingReport';

function send(message: ProcessMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

let cancelRequested = false;
let started = false;

async function run(request: TrainingRunRequest): Promise<ProcessMessage> {
  const hooks: TrainerHooks = {
    onProgress: (progress) => void send({ type: 'progress', progress }),
    onEpoch: (metrics) => void send({ type: 'epoch', metrics }),
    onLog: (message) => void send({ type: 'log', level: 'info', message }),
    onRunFolder: (folder) => void send({ type: 'runFolder', folder }),
    onDownload: (p) => void send({ type: 'download', file: p.file, fileIndex: p.fileIndex, fileCount: p.fileCount, received: p.received, total: p.total }),
    isCancelled: () => cancelRequested,
  };
  const preferred = typeof request.settings.backend === 'string' ? request.settings.backend : undefined;
  const pytorch = await choosePyTorch(preferred, request.pytorch);
  let result: TrainingResult;
  if (pytorch.python) {
    await tf.setBackend('cpu'); // TF.js only draws the initial weights and saves the checkpoints here
    await send({ type: 'backend', backend: 'pytorch', attempts: [pytorch.attempt!], tfjsVersion: tf.version.tfjs, detail: pytorch.detail });
    result = await trainWithPyTorch({ ...request, backendAttempts: [pytorch.attempt!] }, { python: pytorch.python, device: request.pytorch?.device, processes: request.pytorch?.processes }, hooks);
  } else {
    const backend = await selectBackend({ preferred, smokeDesign: request.design, nativeEngineFolders: request.nativeEngineFolders });
    const attempts = [...(pytorch.attempt ? [pytorch.attempt] : []), ...backend.attempts];
    await send({ type: 'backend', backend: backend.backend, attempts, tfjsVersion: tf.version.tfjs, ...(pytorch.detail ? { detail: pytorch.detail } : {}) });
    // Absent replicas means the automatic choice: one copy of the model per core on the single-threaded engines.
    result = await trainDesign({ ...request, replicas: request.replicas ?? 'auto', backendAttempts: attempts }, hooks);
  }
  return result.status === 'cancelled' ? { type: 'cancelled', result } : { type: 'result', result };
}

/** Serves the host that forked this process: one run, started by `start`, then exit. */
function serveAsTrainingProcess(): void {
  process.on('message', (raw: unknown) => {
    if (!isHostMessage(raw)) return;
    const message: HostMessage = raw;
    if (message.type === 'cancel') {
      cancelRequested = true;
      return;
    }
    if (started) return;
    started = true;
    run(message.request)
      .catch((err: unknown): ProcessMessage => ({ type: 'error', message: err instanceof Error ? err.message : String(err) }))
      .then(async (last) => {
        await send(last);
        process.disconnect?.();
        process.exit(0);
      });
  });

  // A terminal's Ctrl-C reaches the whole process group: the host decides, and sends `cancel`.
  process.on('SIGINT', () => undefined);

  // The host going away (crash, window closed) ends the run instead of leaving an orphan using the CPU:
  // at once when the main thread is free, and from the watchdog thread when it is busy.
  process.on('disconnect', () => process.exit(0));
  exitWithParent();

  void send({ type: 'ready', pid: process.pid });
}

/**
 * `--list-engines [OPTIONS_JSON]`: probes every engine, sends the list (over IPC when forked, else as
 * JSON on stdout) and exits; no run is started.
 */
async function listEnginesAndExit(optionsJson: string | undefined): Promise<void> {
  const options = optionsJson ? (JSON.parse(optionsJson) as ProbeEnginesOptions) : {};
  const engines = await probeEngines(options);
  if (process.send) await new Promise<void>((resolve) => process.send!({ type: 'engines', engines }, undefined, undefined, () => resolve()));
  else process.stdout.write(`${JSON.stringify(engines)}\n`);
  process.exit(0);
}

// One bundle for three roles: the process the host forks for a run, the engine probe, and a run's data-parallel replicas (worker threads).
if (!isMainThread) serveAsReplica();
else if (process.argv[2] === '--list-engines') void listEnginesAndExit(process.argv[3]);
else serveAsTrainingProcess();
