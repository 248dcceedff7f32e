// The build of the wasm training kernels whose multiply-adds are fused (relaxed SIMD) against the
// plain build, on the same inputs: the convolution kernels' filter gradients and forward sums.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { fusedMultiplyAdds, WASM_KERNEL_MODULES } from '../../scripts/buildWasmKernels';
import { heapOffset, trainingKernelsBuild, uninitializedOutput, type WasmTrainingKernels } from '../../src/training/engine/kernels/wasm/wasmTrainingKernels';
import { TRAINING_KERNELS_WASM_BASE64 } from '../../src/training/engine/kernels/wasm/trainingKernelsBinary';
import { TRAINING_KERNELS_FUSED_WASM_BASE64 } from '../../src/training/engine/kernels/wasm/trainingKernelsFusedBinary';
import { onWasmEngine } from '../support/onWasmEngine';
import { seededRandom } from '../support/randomDesign';
import { assertClose } from '../support/assertClose';

describe('the fused build of the wasm training kernels', function () {
  this.timeout(120_000);
  onWasmEngine();

  it("is the one this engine runs (Node's V8 takes relaxed SIMD behind a flag the loader sets)", () => {
    assert.equal(trainingKernelsBuild(), 'fused');
  });

  it('fuses every accumulation of the convolution kernels, and nothing else', () => {
    const source = fs.readFileSync(WASM_KERNEL_MODULES.find((m) => m.fused)!.source, 'utf8');
    const fused = fusedMultiplyAdds(source);
    // Twelve accumulators in each of filterGradientValid, filterGradientValidNarrow and convForwardValid.
    assert.equal(fused.match(/f32x4\.relaxed_madd/g)?.length, 36);
    assert.equal(fused.match(/f32x4\.add/g)?.length, source.match(/f32x4\.add/g)!.length - 36);
  });

  it('gives the plain build’s filter gradients and convolutions to 1e-5 relative on 60 random cases', () => {
    const backend = tf.backend();
    const memory = (backend as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
    const instance = (base64: string) => new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(base64, 'base64')), { env: { memory } }).exports as unknown as WasmTrainingKernels;
    const plain = instance(TRAINING_KERNELS_WASM_BASE64);
    const fused = instance(TRAINING_KERNELS_FUSED_WASM_BASE64);
    const rnd = seededRandom(41);
    const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
    const at = (t: tf.Tensor | TensorInfo) => heapOffset(backend, t as TensorInfo);
    for (let i = 0; i < 60; i++) {
      const [batch, kh, kw, channels, outChannels, stride] = [int(1, 3), int(1, 5), int(1, 5), int(1, 12), int(1, 30), int(1, 2)];
      const [height, width] = [kh + int(0, 9), kw + int(0, 9)];
      const [outH, outW] = [Math.floor((height - kh) / stride) + 1, Math.floor((width - kw) / stride) + 1];
      // 48 spare floats after dy: the gradient kernels read (and drop) lanes past the last channel.
      const x = tf.randomNormal([batch, height, width, channels], 0, 1, 'float32', i);
      const dy = tf.randomNormal([batch * outH * outW * outChannels + 48], 0, 1, 'float32', i + 100);
      const taps = kh * kw * channels;
      const tiles = Math.ceil(outChannels / 12);
      const packed = tf.randomNormal([tiles * taps * 12], 0, 1, 'float32', i + 200);
      const bias = tf.zeros([tiles * 12]);
      const offsets = tf.tensor1d(Array.from({ length: taps }, (_, t) => ((Math.floor(t / (kw * channels)) * width + (Math.floor(t / channels) % kw)) * channels + (t % channels)) * 4), 'int32');
      const results = [plain, fused].map((kernels) => {
        const scratch = uninitializedOutput(backend, [48]);
        const wide = uninitializedOutput(backend, [taps * outChannels]);
        const narrow = uninitializedOutput(backend, [taps * outChannels]);
        const y = uninitializedOutput(backend, [batch * outH * outW * outChannels]);
        const args = [batch, height, width, channels, outH, outW, outChannels, kh, kw, stride, stride, 1, 1, 7] as const;
        kernels.filterGradientValid(at(x), at(dy), at(wide), at(scratch), ...args);
        kernels.filterGradientValidNarrow(at(x), at(dy), at(narrow), at(scratch), ...args);
        kernels.convForwardValid(at(x), at(packed), at(bias), at(offsets), at(y), batch, height, width, channels, outH, outW, outChannels, taps, stride, stride, -Infinity, Infinity);
        const values = [wide, narrow, y].map((info) => Float32Array.from(backend.readSync(info.dataId) as Float32Array));
        for (const info of [scratch, wide, narrow, y]) backend.disposeData(info.dataId);
        return values;
      });
      const what = `case ${i}: ${JSON.stringify({ batch, height, width, channels, outChannels, kh, kw, stride })}`;
      for (const [k, name] of ['wide filter gradient', 'narrow filter gradient', 'forward'].entries()) assertClose(results[1][k], results[0][k], `${what} ${name}`);
      tf.dispose([x, dy, packed, bias, offsets]);
    }
  });
});
