/**
 * A data-parallel replica: a worker thread of the training process, with its own TF.js, model copy
 * and optimizer, started from the training process's own bundle (dist/trainingProcess.js, which
 * runs `serveAsReplica` when loaded in a worker). Between epochs it answers messages in order;
 * during them it serves steps from the shared channel, blocking in between.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { compileDesign } from '../compile/compileDesign';
import { selectBackend } from '../engine/selectBackend';
import { SeededRandom } from '../data/seededRandom';
import { trainingObjective, type TrainingObjective } from '../trainer/trainingObjective';
import type { FromReplica, ToReplica } from './replicaProtocol';
import { ShardedOptimizer } from './ShardedOptimizer';
import { SharedStepChannel } from './SharedStepChannel';
import { predictSlice } from './predictSlice';
import { sliceGradients, trainableVariables } from './sliceGradients';
import { threadMemory } from './threadMemory';
import { modelSampleShapes } from '../compile/modelSampleShapes';

interface Replica {
  model: tf.LayersModel;
  optimizer: ShardedOptimizer;
  objective: TrainingObjective;
  classCount: number;
  channel: SharedStepChannel;
  imageSize: number;
}

let replica: Replica | undefined;

function send(message: FromReplica): void {
  parentPort!.postMessage(message);
}

async function init(message: Extract<ToReplica, { type: 'init' }>): Promise<void> {
  await selectBackend({ preferred: message.backend, smokeTest: false, wasmFolders: message.wasmFolders });
  const random = new SeededRandom(message.seed);
  Math.random = () => random.next();
  const model = compileDesign(message.design);
  const optimizer = new ShardedOptimizer(message.optimizer, message.rank, message.settings, trainableVariables(model));
  // The trainable weights come from the shared packed vector, the statistics from the message.
  optimizer.optimizer.load();
  tf.tidy(() => model.nonTrainableWeights.forEach((w, i) => w.write(tf.tensor(message.statistics[i], w.shape as number[]))));
  replica = {
    model,
    optimizer,
    objective: trainingObjective(message.kind, message.settings.l2, model.trainableWeights),
    classCount: message.classCount,
    channel: new SharedStepChannel(message.channel),
    imageSize: modelSampleShapes(model).input.size,
  };
  send({ type: 'ready' });
}

function serve(r: Replica): void {
  r.channel.serve({
    apply: (learningRate) => {
      r.optimizer.learningRate = learningRate;
      r.optimizer.apply();
    },
    step: (count) => sliceGradients(r.model, r.objective, r.channel.pixels.subarray(0, count * r.imageSize), r.channel.labels.subarray(0, count), r.classCount, r.optimizer.gradients),
    predict: (count) => {
      const output = predictSlice(r.model, r.channel.pixels, count);
      r.channel.outputs.set(output.dataSync() as Float32Array);
      output.dispose();
    },
  });
}

async function handle(message: ToReplica): Promise<void> {
  if (message.type === 'init') return init(message);
  if (!replica) throw new Error(`"${message.type}" before "init".`);
  switch (message.type) {
    case 'serve':
      return serve(replica);
    case 'readWeights': {
      const weights = message.which === 'all' ? replica.model.weights : replica.model.nonTrainableWeights;
      send({ type: 'weights', values: weights.map((w) => (w.read().dataSync() as Float32Array).slice()) });
      return;
    }
    case 'memory':
      send({ type: 'memory', usage: threadMemory() });
      return;
    case 'writeStatistics':
      tf.tidy(() => replica!.model.nonTrainableWeights.forEach((w, i) => w.write(tf.tensor(message.values[i], w.shape as number[]))));
      return;
  }
}

/** Serves the training process that started this worker thread. */
export function serveAsReplica(): void {
  const port = parentPort;
  if (!port) throw new Error('A replica runs as a worker thread of a training process.');
  // Messages are handled strictly one after another: each waits for the previous one's work.
  let queue = Promise.resolve();
  port.on('message', (message: ToReplica) => {
    queue = queue.then(() => handle(message)).catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
  });
}
