/**
 * The hand-written WebAssembly kernels (trainingKernels.wat), instantiated once per wasm backend
 * over that backend's own memory, so they work on its tensors in place. Where the engine has
 * relaxed SIMD, the build whose multiply-adds are fused (one instruction where the CPU has FMA:
 * the convolution kernels run 1.17–1.27× faster) is the one used; else the plain build.
 */
import { setFlagsFromString } from 'node:v8';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';
import { TRAINING_KERNELS_WASM_BASE64 } from './trainingKernelsBinary';
import { TRAINING_KERNELS_FUSED_WASM_BASE64 } from './trainingKernelsFusedBinary';

/** The module's exports; every pointer is a byte offset into the backend's heap. */
export interface WasmTrainingKernels {
  maxPoolGrad(
    x: number, dy: number, dx: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number,
    strideH: number, strideW: number, filterH: number, filterW: number, padTop: number, padLeft: number,
  ): void;
  col2im(
    cols: number, dx: number,
    batch: number, outH: number, outW: number, kernelH: number, kernelW: number, channels: number,
    inH: number, inW: number, strideH: number, strideW: number, padTop: number, padLeft: number, dilationH: number, dilationW: number,
  ): void;
  sumRows(x: number, out: number, rows: number, cols: number): void;
  addPeriodic(x: number, v: number, out: number, n: number, period: number): void;
  filterGradientValid(
    x: number, dy: number, dw: number, scratch: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number, outChannels: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number, dilationH: number, dilationW: number, chunkRows: number,
  ): void;
  /** filterGradientValid with six taps by eight channels per tile (same parameters). */
  filterGradientValidNarrow: WasmTrainingKernels['filterGradientValid'];
  depthwiseInputGradient(
    dy: number, filter: number, dx: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number,
  ): void;
  depthwiseFilterGradient(
    x: number, dy: number, dw: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number,
    kernelH: number, kernelW: number, strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number,
  ): void;
  convForwardValid(
    x: number, packedFilter: number, packedBias: number, tapOffsets: number, y: number,
    batch: number, inH: number, inW: number, channels: number, outH: number, outW: number, outChannels: number, taps: number,
    strideH: number, strideW: number, min: number, max: number,
  ): void;
  cappedReluGrad(x: number, dy: number, dx: number, n: number, cap: number): void;
  sumCenteredProducts(x: number, mean: number, z: number, out: number, rows: number, channels: number, square: number): void;
  channelAffine2(p: number, q: number, a: number, b: number, k: number, out: number, rows: number, channels: number): void;
  transposeBlocks(src: number, dst: number, blocks: number, rows: number, cols: number, flip: number): void;
  batchNormInference(x: number, mean: number, scale: number, offset: number, norm: number, out: number, rows: number, channels: number): void;
}

/** The parts of TF.js' wasm backend these kernels use (internal: pinned by TESTED_TFJS_VERSION). */
interface WasmBackendInternals {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<object, WasmTrainingKernels>();

/** Which build of the kernels this process runs: the same in every copy, so they stay bit-for-bit equal. */
export type TrainingKernelsBuild = 'fused' | 'plain';
let build: TrainingKernelsBuild | undefined;

/**
 * The fused build where this engine validates it. Node 20's V8 has relaxed SIMD behind a flag
 * (later engines, VS Code's included, ship it on): the flag is set for the process first, before
 * any module of it is compiled. The choice is made once per process.
 */
export function trainingKernelsBuild(): TrainingKernelsBuild {
  if (build) return build;
  const fused = Buffer.from(TRAINING_KERNELS_FUSED_WASM_BASE64, 'base64');
  if (!WebAssembly.validate(fused)) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // an engine without the flag: the plain build
    }
  }
  build = WebAssembly.validate(fused) ? 'fused' : 'plain';
  return build;
}

/** The kernels bound to this backend's memory. */
export function wasmTrainingKernels(backend: KernelBackend): WasmTrainingKernels {
  const existing = instances.get(backend);
  if (existing) return existing;
  const memory = (backend as unknown as WasmBackendInternals).wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('The wasm backend does not expose its memory: the training kernels cannot run on it.');
  compiled ??= new WebAssembly.Module(Buffer.from(trainingKernelsBuild() === 'fused' ? TRAINING_KERNELS_FUSED_WASM_BASE64 : TRAINING_KERNELS_WASM_BASE64, 'base64'));
  const kernels = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as WasmTrainingKernels;
  instances.set(backend, kernels);
  return kernels;
}

/** Where a tensor's values start in the backend's heap, in bytes. */
export function heapOffset(backend: KernelBackend, info: TensorInfo): number {
  const entry = (backend as unknown as WasmBackendInternals).dataIdMap.get(info.dataId);
  if (!entry) throw new Error('The tensor is not in the wasm backend.');
  return entry.memoryOffset;
}

/** Bytes of the backend's heap (it grows; read it when needed). */
export function heapSize(backend: KernelBackend): number {
  return (backend as unknown as WasmBackendInternals).wasm.asm.memory.buffer.byteLength;
}

/** A new float32 tensor of the backend (its values are whatever the heap held). */
export function uninitializedOutput(backend: KernelBackend, shape: number[]): TensorInfo {
  return (backend as unknown as WasmBackendInternals).makeOutput(shape, 'float32');
}

/** A new float32 tensor of the backend, zero-filled. */
export function zeroedOutput(backend: KernelBackend, shape: number[]): TensorInfo {
  const internals = backend as unknown as WasmBackendInternals;
  const info = internals.makeOutput(shape, 'float32');
  internals.typedArrayFromHeap(info).fill(0);
  return info;
}

/** A tensor's values in the backend's heap, viewed in place (valid until the heap grows). */
export function heapFloats(backend: KernelBackend, info: TensorInfo): Float32Array {
  return (backend as unknown as WasmBackendInternals).typedArrayFromHeap(info);
}

/** The backend's whole heap as float32 values (index = byte offset / 4); take it after allocating, as above. */
export function wholeHeapFloats(backend: KernelBackend): Float32Array {
  return new Float32Array((backend as unknown as WasmBackendInternals).wasm.asm.memory.buffer);
}
