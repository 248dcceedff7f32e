/**
 * Entry point of a data-parallel replica (bundled as dist/trainingReplica.js), a worker thread of
 * the training process with its own TF.js, model copy and optimizer. It answers the process's
 * messages in order, so an `apply` always lands before the next `slice` is computed.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { compileDesign } from '../compile/compileDesign';
import { selectBackend } from '../engine/selectBackend';
import { SeededRandom } from '../data/seededRandom';
import { PackedOptimizer } from '../trainer/PackedOptimizer';
import { trainingObjective, type TrainingObjective } from '../trainer/trainingObjective';
import type { FromReplica, ToReplica } from './replicaProtocol';
import { sliceGradients, trainableVariables } from './sliceGradients';

interface Replica {
  model: tf.LayersModel;
  optimizer: PackedOptimizer;
  objective: TrainingObjective;
  classCount: number;
}

let replica: Replica | undefined;
const port = parentPort;
if (!port) throw new Error('The replica script runs as a worker thread of a training process.');

function send(message: FromReplica, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function init(message: Extract<ToReplica, { type: 'init' }>): Promise<void> {
  await selectBackend({ preferred: message.backend, smokeTest: false, wasmFolders: message.wasmFolders });
  const random = new SeededRandom(message.seed);
  Math.random = () => random.next();
  const model = compileDesign(message.design);
  tf.tidy(() => model.setWeights(message.weights.map((values, i) => tf.tensor(values, model.weights[i].shape as number[]))));
  replica = {
    model,
    optimizer: new PackedOptimizer(message.settings, trainableVariables(model)),
    objective: trainingObjective(message.kind, message.settings.l2, model.trainableWeights),
    classCount: message.classCount,
  };
  send({ type: 'ready' });
}

async function handle(message: ToReplica): Promise<void> {
  if (message.type === 'init') return init(message);
  if (!replica) throw new Error(`"${message.type}" before "init".`);
  switch (message.type) {
    case 'slice': {
      const start = performance.now();
      const result = await sliceGradients(replica.model, replica.objective, message.pixels, message.labels, replica.classCount);
      send({ type: 'gradients', ...result, milliseconds: performance.now() - start }, [result.gradients.buffer as ArrayBuffer]);
      return;
    }
    case 'apply':
      replica.optimizer.learningRate = message.learningRate;
      replica.optimizer.step(message.gradients);
      return;
    case 'readWeights': {
      const weights = message.which === 'all' ? replica.model.weights : replica.model.nonTrainableWeights;
      send({ type: 'weights', values: weights.map((w) => (w.read().dataSync() as Float32Array).slice()) });
      return;
    }
    case 'writeStatistics':
      tf.tidy(() => replica!.model.nonTrainableWeights.forEach((w, i) => w.write(tf.tensor(message.values[i], w.shape as number[]))));
      return;
  }
}

// Messages are handled strictly one after another: each waits for the previous one's work.
let queue = Promise.resolve();
port.on('message', (message: ToReplica) => {
  queue = queue.then(() => handle(message)).catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
});
