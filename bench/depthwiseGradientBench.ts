/**
 * `npx tsx bench/depthwiseGradientBench.ts`: ms per call of the depthwise convolution gradients on
 * MobileNetV2-like shapes (batch 32, 3×3): the project's SIMD kernels on wasm, two compositions of
 * wasm's own XNNPACK depthwise convolution (the alternative they were measured against), and TF.js'
 * cpu backend's built-in kernels; wasm's forward depthwise convolution for scale. Medians of
 * alternated rounds, since the machine may be shared. Options: --rounds=N (default 7).
 */
import * as tf from '@tensorflow/tfjs';
import { backend_util, type KernelBackend, type TensorInfo } from '@tensorflow/tfjs';
import { initWasmBackend } from '../src/training/engine/initWasmBackend';
import { builtInKernel, installTrainingKernels } from '../src/training/engine/kernels/installTrainingKernels';
import { depthwiseFilterGradient, depthwiseInputGradient, type DepthwiseFilterGradientArgs, type DepthwiseInputGradientArgs } from '../src/training/engine/kernels/depthwiseGradientKernels';
import { free, reshaped, runKernel as run } from '../src/training/engine/kernels/kernelCalls';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 7);

const geometry = (xShape: number[], filterShape: number[], a: { strides: number | [number, number]; pad: 'same' | 'valid' }) =>
  backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], a.strides, 1, a.pad, undefined, true, 'channelsLast');

/** dx as XNNPACK's stride-1 depthwise convolution of dy with zeros inserted between its positions, padded, by the flipped filter. */
function xnnpackInputGradient(backend: KernelBackend, args: DepthwiseInputGradientArgs): TensorInfo {
  const { dy, filter, inputShape } = args;
  const info = geometry(inputShape, filter.shape, args as { strides: number; pad: 'same' });
  const [batch, height, width, channels] = inputShape;
  const [kh, kw, , multiplier] = filter.shape;
  const [, outH, outW, spreadChannels] = dy.shape;
  const toFree: TensorInfo[] = [];
  let spread = dy;
  if (info.strideHeight > 1 || info.strideWidth > 1) {
    const padded = run(backend, 'PadV2', { x: reshaped(dy, [batch, outH, 1, outW, 1, spreadChannels]) }, { paddings: [[0, 0], [0, 0], [0, info.strideHeight - 1], [0, 0], [0, info.strideWidth - 1], [0, 0]], constantValue: 0 });
    spread = reshaped(padded, [batch, outH * info.strideHeight, outW * info.strideWidth, spreadChannels]);
    toFree.push(padded);
  }
  const before = [kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left];
  const after = [height + kh - 1 - spread.shape[1] - before[0], width + kw - 1 - spread.shape[2] - before[1]];
  let source = spread;
  if (after.some((p) => p < 0)) {
    source = run(backend, 'Slice', { x: spread }, { begin: [0, 0, 0, 0], size: [batch, spread.shape[1] + Math.min(0, after[0]), spread.shape[2] + Math.min(0, after[1]), spreadChannels] });
    toFree.push(source);
  }
  const flipped = run(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  const partial = run(backend, 'DepthwiseConv2dNative', { x: source, filter: reshaped(flipped, [kh, kw, spreadChannels, 1]) }, {
    strides: 1, dilations: 1, pad: [[0, 0], [before[0], Math.max(0, after[0])], [before[1], Math.max(0, after[1])], [0, 0]],
  });
  free(backend, flipped, ...toFree);
  if (multiplier === 1) return partial;
  const dx = run(backend, 'Sum', { x: reshaped(partial, [batch, height, width, channels, multiplier]) }, { axis: [4], keepDims: false });
  free(backend, partial);
  return dx;
}

/** dW as XNNPACK's depthwise convolution of x with batch folded into channels by dy as an outH × outW filter, stride and dilation swapped, summed over the batch. */
function xnnpackFilterGradient(backend: KernelBackend, args: DepthwiseFilterGradientArgs): TensorInfo {
  const { x, dy, filterShape } = args;
  const info = geometry(x.shape, filterShape, args as { strides: number; pad: 'same' });
  const [batch, height, width, channels] = x.shape;
  const [kh, kw, , multiplier] = filterShape;
  const [, outH, outW] = dy.shape;
  const xT = run(backend, 'Transpose', { x }, { perm: [1, 2, 0, 3] });
  const dyT = run(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const { top, bottom, left, right } = info.padInfo;
  const swapped = run(backend, 'DepthwiseConv2dNative', { x: reshaped(xT, [1, height, width, batch * channels]), filter: reshaped(dyT, [outH, outW, batch * channels, multiplier]) }, {
    strides: 1, dilations: [info.strideHeight, info.strideWidth], pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
  });
  free(backend, xT, dyT);
  let taps = swapped;
  if (swapped.shape[1] !== kh || swapped.shape[2] !== kw) {
    taps = run(backend, 'Slice', { x: swapped }, { begin: [0, 0, 0, 0], size: [1, kh, kw, batch * channels * multiplier] });
    free(backend, swapped);
  }
  const dw = run(backend, 'Sum', { x: reshaped(taps, [kh * kw, batch, channels * multiplier]) }, { axis: [1], keepDims: false });
  free(backend, taps);
  return reshaped(dw, filterShape);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  await initWasmBackend();
  installTrainingKernels('wasm');
  const wasm = tf.backend();
  const cpu = tf.findBackend('cpu')!;
  const cpuInput = builtInKernel('DepthwiseConv2dNativeBackpropInput', 'cpu')!;
  const cpuFilter = builtInKernel('DepthwiseConv2dNativeBackpropFilter', 'cpu')!;
  const cases = [
    { name: '32×16×16×96, stride 1, same', xShape: [32, 16, 16, 96], strides: 1 },
    { name: '32×32×32×144, stride 2, same', xShape: [32, 32, 32, 144], strides: 2 },
  ] as const;
  for (const c of cases) {
    const filterShape: [number, number, number, number] = [3, 3, c.xShape[3], 1];
    const x = tf.randomNormal([...c.xShape]);
    const w = tf.randomNormal(filterShape);
    const y = tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, 'same');
    const dy = tf.randomNormal(y.shape);
    const attrs = { strides: c.strides, pad: 'same' as const, dilations: 1 };
    const inputArgs = { dy, filter: w, inputShape: [...c.xShape] as [number, number, number, number], ...attrs };
    const filterArgs = { x, dy, filterShape, ...attrs };
    const onCpu = (t: tf.Tensor) => ({ dataId: cpu.write(t.dataSync() as Float32Array, t.shape, 'float32'), shape: t.shape, dtype: 'float32' as const });
    const [cx, cdy, cw] = [onCpu(x), onCpu(dy), onCpu(w)];
    const variants: Record<string, { backend: KernelBackend; call: () => TensorInfo }> = {
      'forward (XNNPACK)': { backend: wasm, call: () => run(wasm, 'DepthwiseConv2dNative', { x, filter: w }, attrs) },
      'dx ours': { backend: wasm, call: () => depthwiseInputGradient(wasm, inputArgs) },
      'dx XNNPACK': { backend: wasm, call: () => xnnpackInputGradient(wasm, inputArgs) },
      'dx cpu built-in': { backend: cpu, call: () => cpuInput.kernelFunc({ inputs: { dy: cdy, filter: cw }, backend: cpu, attrs: { ...attrs, inputShape: c.xShape } }) as TensorInfo },
      'dW ours': { backend: wasm, call: () => depthwiseFilterGradient(wasm, filterArgs) },
      'dW XNNPACK': { backend: wasm, call: () => xnnpackFilterGradient(wasm, filterArgs) },
      'dW cpu built-in': { backend: cpu, call: () => cpuFilter.kernelFunc({ inputs: { x: cx, dy: cdy }, backend: cpu, attrs: { ...attrs, filterShape } }) as TensorInfo },
    };
    // The alternatives must agree before they are timed.
    const values = (name: string) => { const v = variants[name]; const out = v.call(); const data = v.backend.readSync(out.dataId) as Float32Array; v.backend.disposeData(out.dataId); return data; };
    for (const [a, b] of [['dx ours', 'dx XNNPACK'], ['dx ours', 'dx cpu built-in'], ['dW ours', 'dW XNNPACK'], ['dW ours', 'dW cpu built-in']]) {
      const [va, vb] = [values(a), values(b)];
      const scale = vb.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-3);
      const worst = va.reduce((m, v, i) => Math.max(m, Math.abs(v - vb[i])), 0) / scale;
      if (!(worst < 1e-4)) throw new Error(`${c.name}: ${a} and ${b} differ by ${worst} relative`);
    }
    const times: Record<string, number[]> = {};
    for (let round = 0; round < rounds; round++) {
      for (const [name, v] of Object.entries(variants)) {
        if (name.includes('cpu') && round >= 3) continue;
        const start = performance.now();
        const out = v.call();
        (times[name] ??= []).push(performance.now() - start);
        v.backend.disposeData(out.dataId);
      }
    }
    console.log(`\n${c.name} (3×3 depthwise, multiplier 1): ms per call, median of ${rounds} (cpu: of 3)`);
    for (const [name, t] of Object.entries(times)) console.log(`  ${name.padEnd(18)} ${median(t).toFixed(1).padStart(8)}`);
    for (const info of [cx, cdy, cw]) cpu.disposeData(info.dataId);
    tf.dispose([x, w, y, dy]);
  }
  console.log(`\ntensors left: ${tf.memory().numTensors}`);
}

void main();
