/**
 * `MaxPoolGrad` in plain JavaScript over the backend's own memory (the wasm heap, or the cpu
 * backend's arrays): each window sends its dy to the first position holding its maximum, summed
 * where windows overlap, exactly as TF.js' cpu kernel defines it. One pass over the input with
 * channels innermost (contiguous in NHWC), several times faster than either built-in kernel.
 */
import { backend_util, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, wasmTrainingKernels, zeroedOutput } from './wasm/wasmTrainingKernels';

/** The two memory layouts this kernel knows: the wasm heap and the cpu backend's typed arrays. */
interface BackendMemory {
  read(info: TensorInfo): Float32Array;
  /** A zeroed output and a writable view of it. */
  allocate(shape: number[]): { info: TensorInfo; values: Float32Array };
}

interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

interface CpuBackendInternals {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

export function backendMemory(backend: KernelBackend, backendName: string): BackendMemory {
  if (backendName === 'wasm') {
    const wasm = backend as unknown as WasmBackendInternals;
    return {
      read: (info) => wasm.typedArrayFromHeap(info),
      allocate: (shape) => {
        const info = wasm.makeOutput(shape, 'float32');
        const values = wasm.typedArrayFromHeap(info);
        values.fill(0);
        return { info, values };
      },
    };
  }
  if (backendName === 'cpu') {
    const cpu = backend as unknown as CpuBackendInternals;
    return {
      read: (info) => cpu.data.get(info.dataId).values,
      allocate: (shape) => {
        const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
        return { info: cpu.makeTensorInfo(shape, 'float32', values), values };
      },
    };
  }
  throw new Error(`No direct memory access for the ${backendName} backend.`);
}

/** dx of a channels-last max pool, from its input x and the output gradient dy (dx must start at zero). */
export function maxPoolGradient(x: Float32Array, dy: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rowStride = inWidth * channels;
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = oh * strideHeight - top;
      const r0 = Math.max(0, rowStart);
      const r1 = Math.min(inHeight, rowStart + filterHeight);
      for (let ow = 0; ow < outWidth; ow++, o += channels) {
        const colStart = ow * strideWidth - left;
        const c0 = Math.max(0, colStart);
        const c1 = Math.min(inWidth, colStart + filterWidth);
        for (let ch = 0; ch < channels; ch++) {
          // Row-major scan with a strict comparison: the first maximum wins, as in TF.js.
          let best = -Infinity;
          let where = -1;
          for (let r = r0; r < r1; r++) {
            const row = image + r * rowStride + ch;
            for (let c = c0; c < c1; c++) {
              const v = x[row + c * channels];
              if (v > best) {
                best = v;
                where = row + c * channels;
              }
            }
          }
          if (where >= 0) dx[where] += dy[o + ch];
        }
      }
    }
  }
}

/** Builds the `MaxPoolGrad` kernel function for one backend. */
export function maxPoolGradKernel(backendName: string) {
  return ({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo => {
    const { dy, input } = inputs;
    const a = attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number | backend_util.ExplicitPadding; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    if (backendName === 'wasm') {
      // The SIMD kernel, in place on the wasm heap: about ten times faster than this file's JavaScript.
      const dx = zeroedOutput(backend, input.shape);
      const { top, left } = info.padInfo;
      wasmTrainingKernels(backend).maxPoolGrad(
        heapOffset(backend, input), heapOffset(backend, dy), heapOffset(backend, dx),
        info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
        info.strideHeight, info.strideWidth, info.filterHeight, info.filterWidth, top, left,
      );
      return dx;
    }
    const memory = backendMemory(backend, backendName);
    const out = memory.allocate(input.shape);
    // Views after allocating: growing the wasm heap detaches earlier views.
    maxPoolGradient(memory.read(input), memory.read(dy), out.values, info);
    return out.info;
  };
}
