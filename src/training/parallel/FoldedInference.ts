/**
 * A model's inference pass in which every convolution → batch norm [→ ReLU or ReLU6] chain runs
 * as one fused convolution. With its moving statistics, batch norm is an affine map per channel,
 * y = (x − mean)·s + β with s = γ/√(variance + ε), so it folds into the convolution's filter and
 * bias (w·s and (b − mean)·s + β), and the activation into the fused op's clamp. That removes two
 * full passes over each such layer's output. A zero padding in front of the convolution becomes the
 * convolution's explicit padding, which removes the padded copy as well. Every other layer runs as
 * `model.execute` runs it (`layer.apply`, inference mode), and intermediate tensors are disposed
 * as soon as their last consumer has run, as `model.execute` does.
 *
 * The folded weights are cached per chain and worked out again when any of its variables has been
 * assigned since (an assignment gives the variable a new data id), so a prediction always uses the
 * current weights and the current batch-norm statistics.
 *
 * Folding changes the rounding: the outputs differ from the unfolded chain's by float32 rounding
 * of the scaled weights (a few ulps), as with any folded inference (TensorFlow Lite's converter,
 * PyTorch's fuse_conv_bn_eval).
 */
import * as tf from '@tensorflow/tfjs';
import { KERAS_RELU } from '../../core/layers/kerasActivations';
import { KERAS_BATCH_NORMALIZATION } from '../../core/layers/batchNormLayer';
import { KERAS_INPUT_CLASS } from '../../core/layers/inputLayer';
import { DEPTHWISE_CONV_2D } from '../../core/layers/kerasGroupedConvolution';
import { ZERO_PADDING_2D } from '../../core/layers/kerasPadding';

/** TF.js' layer internals that folding reads (fields of its Conv2D, DepthwiseConv2D, BatchNormalization, ReLU, Activation and ZeroPadding2D layers). */
interface LayerInternals {
  kernel?: tf.LayerVariable;
  depthwiseKernel?: tf.LayerVariable;
  bias?: tf.LayerVariable | null;
  strides?: number[];
  padding?: string | number[][];
  dilationRate?: number | number[];
  dataFormat?: string;
  activation?: { getClassName(): string };
  axis?: number;
  epsilon?: number;
  gamma?: tf.LayerVariable | null;
  beta?: tf.LayerVariable | null;
  movingMean?: tf.LayerVariable;
  movingVariance?: tf.LayerVariable;
  maxValue?: number | null;
}

type FusedActivation = 'linear' | 'relu' | 'relu6';
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** One step of the pass: the symbolic tensors it reads and writes, and how it computes. */
interface Step {
  inputs: number[];
  outputs: number[];
  run(inputs: tf.Tensor[]): tf.Tensor[];
}

/** Backends whose convolution kernels are known to take explicit (and asymmetric) padding. */
const EXPLICIT_PADDING_BACKENDS = new Set(['wasm', 'cpu']);

/** Each model's plan; null where the planner cannot walk its graph (planned once either way). */
const plans = new WeakMap<tf.LayersModel, FoldedInference | null>();

export class FoldedInference {
  /** How many convolution chains were folded (for tests and profiles). */
  readonly foldedChains: number;

  /** How many steps read each symbolic tensor: a value is disposed after its last reader. */
  private readonly readers = new Map<number, number>();

  private constructor(
    private readonly inputId: number,
    private readonly outputId: number,
    private readonly steps: Step[],
    private readonly chains: FoldedChain[],
  ) {
    this.foldedChains = chains.length;
    for (const step of steps) for (const id of step.inputs) this.readers.set(id, (this.readers.get(id) ?? 0) + 1);
  }

  /**
   * The folded pass of a single-input, single-output model, planned once per model; undefined
   * where the model's graph is not one this planner walks (a layer called more than once).
   */
  static of(model: tf.LayersModel): FoldedInference | undefined {
    let plan = plans.get(model);
    if (plan === undefined) {
      plan = FoldedInference.plan(model) ?? null;
      plans.set(model, plan);
    }
    return plan ?? undefined;
  }

  /** Frees the folded weights of `model`'s plan, if it has one: call it before disposing the model. */
  static release(model: tf.LayersModel): void {
    plans.get(model)?.dispose();
    plans.delete(model);
  }

  /** The model's output for the batch `x` (which stays the caller's). */
  run(x: tf.Tensor): tf.Tensor {
    const values = new Map<number, tf.Tensor>([[this.inputId, x]]);
    const remaining = new Map(this.readers);
    const kept = (t: tf.Tensor) => t === x || t === values.get(this.outputId);
    for (const step of this.steps) {
      const outputs = step.run(step.inputs.map((id) => values.get(id)!));
      step.outputs.forEach((id, i) => values.set(id, outputs[i]));
      for (const id of step.inputs) {
        const left = remaining.get(id)! - 1;
        remaining.set(id, left);
        if (left > 0 || id === this.outputId) continue;
        const tensor = values.get(id)!;
        values.delete(id);
        // A layer may pass its input through as its output (dropout in inference): dispose only
        // what no live value holds.
        if (!kept(tensor) && ![...values.values()].includes(tensor)) tensor.dispose();
      }
    }
    return values.get(this.outputId)!;
  }

  /** Frees the folded weights (the plan refolds on its next run). */
  dispose(): void {
    for (const chain of this.chains) chain.dispose();
  }

  private static plan(model: tf.LayersModel): FoldedInference | undefined {
    if (model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
    if (model.layers.some((layer) => layer.inboundNodes.length !== 1)) return undefined;
    const consumers = new Map<number, tf.layers.Layer[]>();
    for (const layer of model.layers) {
      for (const input of layer.inboundNodes[0].inputTensors) consumers.set(input.id, [...(consumers.get(input.id) ?? []), layer]);
    }
    const outputId = model.outputs[0].id;
    /** The one layer that reads `layer`'s output, where nothing else (the model's output included) does. */
    const soleConsumer = (layer: tf.layers.Layer): tf.layers.Layer | undefined => {
      const outputs = layer.inboundNodes[0].outputTensors;
      if (outputs.length !== 1 || outputs[0].id === outputId) return undefined;
      const readers = consumers.get(outputs[0].id) ?? [];
      return readers.length === 1 ? readers[0] : undefined;
    };

    const absorbed = new Set<tf.layers.Layer>();
    const chainAt = new Map<tf.layers.Layer, { chain: FoldedChain; input: number; output: number }>();
    for (const conv of model.layers) {
      const kind = foldableConvolution(conv);
      if (!kind) continue;
      const norm = soleConsumer(conv);
      if (!norm || !foldableBatchNorm(norm)) continue;
      const after = soleConsumer(norm);
      const activation = after ? fusableActivation(after) : undefined;
      const last = activation ? after! : norm;
      const source = conv.inboundNodes[0].inboundLayers[0];
      const padding = source && (conv as unknown as LayerInternals).padding === 'valid' && soleConsumer(source) === conv ? zeroPadding(source) : undefined;
      const first = padding ? source : conv;
      const chain = new FoldedChain(kind, conv as unknown as LayerInternals, norm as unknown as LayerInternals, activation ?? 'linear', padding);
      chainAt.set(first, { chain, input: first.inboundNodes[0].inputTensors[0].id, output: last.inboundNodes[0].outputTensors[0].id });
      for (const layer of [first, conv, norm, last]) absorbed.add(layer);
    }

    const steps: Step[] = [];
    let inputId: number | undefined;
    for (const layer of model.layers) {
      const node = layer.inboundNodes[0];
      if (layer.getClassName() === KERAS_INPUT_CLASS) {
        inputId = node.outputTensors[0].id;
        continue;
      }
      const folding = chainAt.get(layer);
      if (folding) {
        const { chain, input, output } = folding;
        steps.push({ inputs: [input], outputs: [output], run: ([x]) => [chain.apply(x)] });
        continue;
      }
      if (absorbed.has(layer)) continue;
      steps.push({
        inputs: node.inputTensors.map((t) => t.id),
        outputs: node.outputTensors.map((t) => t.id),
        run: (inputs) => {
          const out = layer.apply(inputs.length === 1 ? inputs[0] : inputs, {}) as tf.Tensor | tf.Tensor[];
          return Array.isArray(out) ? out : [out];
        },
      });
    }
    if (inputId !== model.inputs[0].id) return undefined;
    return new FoldedInference(inputId, outputId, steps, [...chainAt.values()].map((c) => c.chain));
  }
}

/** A convolution → batch norm [→ activation] chain and its folded weights. */
class FoldedChain {
  private weights?: { sources: object[]; filter: tf.Tensor; bias: tf.Tensor };

  constructor(
    private readonly kind: 'conv' | 'depthwise',
    private readonly conv: LayerInternals,
    private readonly norm: LayerInternals,
    private readonly activation: FusedActivation,
    private readonly padding: ExplicitPadding | undefined,
  ) {}

  apply(x: tf.Tensor): tf.Tensor {
    const { filter, bias } = this.current();
    let pad: 'same' | 'valid' | ExplicitPadding = this.conv.padding === 'same' ? 'same' : 'valid';
    if (this.padding) {
      // The wasm and cpu kernels take explicit padding (tests check both); elsewhere, pad first.
      if (EXPLICIT_PADDING_BACKENDS.has(tf.getBackend())) pad = this.padding;
      else x = tf.pad(x, this.padding);
    }
    const strides = this.conv.strides as [number, number];
    if (this.kind === 'depthwise') {
      // The op takes explicit padding as conv2d does (its kernels read the computed pad sizes); only its declared type omits it.
      return tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides, pad: pad as 'valid', dataFormat: 'NHWC', bias, activation: this.activation });
    }
    const dilations = this.conv.dilationRate as [number, number];
    return tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides, pad, dataFormat: 'NHWC', dilations, bias, activation: this.activation });
  }

  dispose(): void {
    this.weights?.filter.dispose();
    this.weights?.bias.dispose();
    this.weights = undefined;
  }

  /** The folded filter and bias, worked out again where any variable they come from was assigned. */
  private current(): { filter: tf.Tensor; bias: tf.Tensor } {
    const variables = this.variables();
    const sources = variables.map((v) => (v ? v.read().dataId : undefined)) as object[];
    if (this.weights && this.weights.sources.every((s, i) => s === sources[i])) return this.weights;
    this.dispose();
    const [kernel, convBias, gamma, beta, mean, variance] = variables.map((v) => (v ? (v.read().dataSync() as Float32Array) : undefined));
    const kernelShape = variables[0]!.shape as number[];
    // Output channels are the filter's last axis; a depthwise filter's last two axes (channel, multiplier) flatten to them.
    const channels = this.kind === 'depthwise' ? kernelShape[2] * kernelShape[3] : kernelShape[3];
    const epsilon = this.norm.epsilon!;
    const scale = new Float64Array(channels);
    const bias = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance![c] + epsilon);
      bias[c] = ((convBias ? convBias[c] : 0) - mean![c]) * scale[c] + (beta ? beta[c] : 0);
    }
    const filter = new Float32Array(kernel!.length);
    for (let i = 0; i < filter.length; i += channels) {
      for (let c = 0; c < channels; c++) filter[i + c] = kernel![i + c] * scale[c];
    }
    this.weights = { sources, filter: tf.keep(tf.tensor(filter, kernelShape)), bias: tf.keep(tf.tensor1d(bias)) };
    return this.weights;
  }

  private variables(): (tf.LayerVariable | undefined)[] {
    const conv = this.conv;
    const norm = this.norm;
    return [this.kind === 'depthwise' ? conv.depthwiseKernel : conv.kernel, conv.bias ?? undefined, norm.gamma ?? undefined, norm.beta ?? undefined, norm.movingMean, norm.movingVariance];
  }
}

/** 'conv' or 'depthwise' for a channels-last 2-D convolution of TF.js' own, with no activation of its own. */
function foldableConvolution(layer: tf.layers.Layer): 'conv' | 'depthwise' | undefined {
  const internals = layer as unknown as LayerInternals;
  if (internals.dataFormat !== 'channelsLast' || internals.activation?.getClassName() !== 'linear') return undefined;
  if (internals.padding !== 'valid' && internals.padding !== 'same') return undefined;
  const className = layer.getClassName();
  if (className === 'Conv2D' && internals.kernel) return 'conv';
  // TF.js' DepthwiseConv2D layer runs without dilation, whatever its config says: the fold does too.
  if (className === DEPTHWISE_CONV_2D && internals.depthwiseKernel) return 'depthwise';
  return undefined;
}

function foldableBatchNorm(layer: tf.layers.Layer): boolean {
  const internals = layer as unknown as LayerInternals;
  return layer.getClassName() === KERAS_BATCH_NORMALIZATION && (internals.axis === -1 || internals.axis === 3) && layer.inboundNodes[0].inputTensors[0].shape.length === 4;
}

/** The fused op's name for an activation layer it can clamp with: ReLU, ReLU6 (ReLU capped at 6), Activation('relu' / 'relu6'). */
function fusableActivation(layer: tf.layers.Layer): FusedActivation | undefined {
  const internals = layer as unknown as LayerInternals;
  if (layer.getClassName() === KERAS_RELU) {
    if (internals.maxValue == null) return 'relu';
    return internals.maxValue === 6 ? 'relu6' : undefined;
  }
  if (layer.getClassName() === 'Activation') {
    const name = internals.activation?.getClassName();
    return name === 'relu' || name === 'relu6' ? name : undefined;
  }
  return undefined;
}

/** A ZeroPadding2D layer's padding, as a convolution's explicit padding (channels last). */
function zeroPadding(layer: tf.layers.Layer): ExplicitPadding | undefined {
  const internals = layer as unknown as LayerInternals;
  if (layer.getClassName() !== ZERO_PADDING_2D || internals.dataFormat !== 'channelsLast') return undefined;
  const [[top, bottom], [left, right]] = internals.padding as number[][];
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}
