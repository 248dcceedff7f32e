/**
 * Where a training step's time goes, by kernel family: every kernel registered for a backend is
 * wrapped with a timer while profiling (the wasm kernels compute synchronously, so the wall time
 * around a call is the kernel's). A kernel that calls other kernels (the project's gradient
 * kernels do) is counted once, under its own name. The family comes from the kernel's name, or,
 * for the many small kernels a batch-norm layer runs forward and backward, from the layer it runs
 * for: each layer's `call` marks the forward kernels, and each tape node keeps the layer it was
 * recorded in, for its gradient's kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { getKernelsForBackend, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs';

export const KERNEL_FAMILIES = [
  'conv forward',
  'conv backprop input',
  'conv backprop filter',
  'depthwise forward',
  'depthwise backprop',
  'batch norm',
  'matmul',
  'elementwise',
  'pooling',
  'other kernels',
] as const;
export type KernelFamily = (typeof KERNEL_FAMILIES)[number];

const BY_NAME: Record<string, KernelFamily> = {
  Conv2D: 'conv forward',
  FusedConv2D: 'conv forward',
  Conv2DBackpropInput: 'conv backprop input',
  Conv2DBackpropFilter: 'conv backprop filter',
  DepthwiseConv2dNative: 'depthwise forward',
  FusedDepthwiseConv2D: 'depthwise forward',
  DepthwiseConv2dNativeBackpropInput: 'depthwise backprop',
  DepthwiseConv2dNativeBackpropFilter: 'depthwise backprop',
  FusedBatchNorm: 'batch norm',
  CnnDesignerBatchNormTraining: 'batch norm',
  CnnDesignerBatchNormTrainingGrad: 'batch norm',
  CnnDesignerRelu6Grad: 'elementwise',
  BatchMatMul: 'matmul',
  _FusedMatMul: 'matmul',
  MaxPool: 'pooling',
  MaxPoolGrad: 'pooling',
  AvgPool: 'pooling',
  AvgPoolGrad: 'pooling',
};
const ELEMENTWISE = new Set(
  'Abs Add AddN Cast ClipByValue Div Multiply Elu EluGrad Equal Exp Fill Floor FloorDiv Greater GreaterEqual LeakyRelu Less LessEqual Log LogicalAnd LogicalNot Maximum Minimum Mul Neg NotEqual OnesLike Pow Prelu RealDiv Reciprocal Relu Relu6 Round Rsqrt Select Sigmoid Sign Softplus Sqrt Square SquaredDifference Step Sub Tanh ZerosLike'.split(' '),
);
const LAYER_FAMILY: Record<string, KernelFamily> = { BatchNormalization: 'batch norm', GlobalAveragePooling2D: 'pooling', GlobalMaxPooling2D: 'pooling' };

interface TapeEngine {
  addTapeNode(...args: unknown[]): void;
  /** A tape node's gradient returns one function per input, which the engine calls later. */
  state: { activeTape: { gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor> }[] | null };
}

export class KernelProfile {
  /** Milliseconds per family since the last `reset()`. */
  readonly milliseconds = new Map<KernelFamily, number>(KERNEL_FAMILIES.map((f) => [f, 0]));
  /** Milliseconds per kernel name of the kernels counted as 'other kernels' (what that row is made of). */
  readonly others = new Map<string, number>();
  private readonly originals: KernelConfig[] = [];
  private readonly restores: (() => void)[] = [];
  private depth = 0;
  /** The layer class whose forward pass or gradient is running (undefined: neither). */
  private layer?: string;

  /** Starts timing every kernel of `backendName`, with the layers of `model` marking their kernels. */
  constructor(backendName: string, model: tf.LayersModel) {
    for (const config of getKernelsForBackend(backendName)) {
      this.originals.push(config);
      const family = BY_NAME[config.kernelName];
      const elementwise = ELEMENTWISE.has(config.kernelName);
      const inner = config.kernelFunc;
      const kernelFunc: KernelFunc = (args) => {
        if (this.depth > 0) return inner(args);
        this.depth++;
        const start = performance.now();
        try {
          return inner(args);
        } finally {
          this.depth--;
          const chosen = (this.layer === 'BatchNormalization' ? 'batch norm' : family) ?? (this.layer && LAYER_FAMILY[this.layer]) ?? (elementwise ? 'elementwise' : 'other kernels');
          const elapsed = performance.now() - start;
          this.milliseconds.set(chosen, this.milliseconds.get(chosen)! + elapsed);
          if (chosen === 'other kernels') this.others.set(config.kernelName, (this.others.get(config.kernelName) ?? 0) + elapsed);
        }
      };
      unregisterKernel(config.kernelName, backendName);
      registerKernel({ ...config, kernelFunc });
    }
    this.restores.push(() => {
      for (const config of this.originals) {
        unregisterKernel(config.kernelName, backendName);
        registerKernel(config);
      }
    });

    const engine = tf.engine() as unknown as TapeEngine;
    const addTapeNode = engine.addTapeNode;
    const profile = this;
    engine.addTapeNode = function (this: TapeEngine, ...args: unknown[]) {
      addTapeNode.apply(this, args);
      const node = this.state.activeTape?.[this.state.activeTape.length - 1];
      const layer = profile.layer;
      const gradient = node?.gradient;
      if (!node || !gradient) return;
      node.gradient = (dys) => {
        const perInput = profile.within(layer, () => gradient(dys));
        return Object.fromEntries(Object.entries(perInput).map(([input, dx]) => [input, () => profile.within(layer, dx)]));
      };
    };
    this.restores.push(() => (engine.addTapeNode = addTapeNode));

    for (const layer of model.layers) {
      const call = layer.call.bind(layer);
      const name = layer.getClassName();
      layer.call = (inputs, kwargs) => this.within(name, () => call(inputs, kwargs));
      this.restores.push(() => delete (layer as { call?: unknown }).call);
    }
  }

  private within<T>(layer: string | undefined, run: () => T): T {
    const outer = this.layer;
    this.layer = layer;
    try {
      return run();
    } finally {
      this.layer = outer;
    }
  }

  reset(): void {
    for (const family of KERNEL_FAMILIES) this.milliseconds.set(family, 0);
    this.others.clear();
  }

  /** Puts back the kernels, the engine's tape and the layers as they were. */
  dispose(): void {
    for (const restore of this.restores.reverse()) restore();
  }
}
