import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../../src/training/engine/initWasmBackend';
import { installTrainingKernels } from '../../src/training/engine/kernels/installTrainingKernels';

/** Inside a describe: its tests run on the wasm engine with the project's kernels, and the cpu engine is current again after them. */
export function onWasmEngine(): void {
  before(async () => {
    await initWasmBackend();
    installTrainingKernels('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });
}
