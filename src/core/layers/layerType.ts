import type { DesignNode, Shape } from '../design';
import type { DiagnosticInput } from '../analysis/diagnostic';
import type { OnnxAttributeValue, OnnxNode, OnnxTensor } from '../onnx/onnxModel';

/** The palette groups, in the order the palette shows them. */
export const LAYER_GROUPS = [
  'input',
  'convolution',
  'pooling',
  'dense',
  'reshape',
  'regularization',
  'normalization',
  'activation',
  'merge',
] as const;
export type LayerGroup = (typeof LAYER_GROUPS)[number];

export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'leakyRelu',
  'elu',
  'gelu',
  'geluTanh',
  'silu',
  'mish',
  'softplus',
  'hardsigmoid',
  'hardswish',
  'sigmoid',
  'tanh',
  'softmax',
  'logSoftmax',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** How a parameter's value is written and checked; drives validation, the inspector form and the JSON schema. */
export type ParamKind =
  | { kind: 'int'; min?: number; max?: number }
  | { kind: 'number'; min?: number; max?: number; exclusiveMax?: boolean }
  | { kind: 'bool' }
  | { kind: 'enum'; options: readonly string[] }
  /** A positive integer, or one per spatial axis: 3 or [3, 5]. */
  | { kind: 'window'; dims: 1 | 2; min: number }
  /** "valid", "same", or explicit zeros on each side (PyTorch semantics): 1 or [1, 2]. */
  | { kind: 'padding'; dims: 1 | 2 }
  /** A tensor shape without batch: 1 to 3 positive integers. */
  | { kind: 'shape' }
  /**
   * An amount (0 or more) on each side of every spatial axis: 1, [top/bottom, left/right] or
   * [top, bottom, left, right] for images; 1 or [before, after] for sequences. Resolves to
   * [before, after] per axis, flattened: [top, bottom, left, right] or [before, after].
   */
  | { kind: 'sides'; dims: 1 | 2 };

export type ParamSpec = ParamKind & {
  name: string;
  label: string;
  doc: string;
  required?: boolean;
  /** Default when absent (never for required parameters). */
  default?: unknown;
  /** Unit shown next to the field. */
  unit?: string;
};

/**
 * The source of one of the project's own Keras / TF.js layer classes, for what Keras has no layer
 * for (PyTorch-style explicit padding of max pooling or of sequences, log-softmax). Exports write
 * it into the file that uses the class, so the file runs on its own; same class name and config
 * keys in both languages, so a model saved by one loads in the other.
 */
export interface KerasCustomLayer {
  className: string;
  /** JavaScript defining and registering the class with TF.js (`tf` in scope). */
  js: string;
  /** Python defining the class as a `keras.layers.Layer` (`tf` and `layers` in scope). */
  python: string;
  /** Keras has the class (`layers.<className>`) and only TF.js lacks it: only the TF.js export defines it. */
  inKeras?: boolean;
}

/** Where one Keras weight of a layer goes in PyTorch's state_dict. */
export interface KerasWeight {
  /** The PyTorch parameter of the node's module: "weight", "bias", "running_mean"… */
  param: string;
  /** Keras axis for each PyTorch axis, when the layouts differ (kernels). */
  axes?: number[];
  /** The shape Keras gives this weight. */
  shape: number[];
  /**
   * PyTorch's shape, when it is not the transposed Keras shape but the same values read in
   * another shape: a depthwise kernel [kh, kw, C, m] transposes to [C, m, kh, kw], which PyTorch
   * holds as [C·m, 1, kh, kw] (output channel c·m + j is input channel c's j-th filter); PReLU's α
   * is [1, 1, C] in Keras and [C] in PyTorch.
   */
  torchShape?: number[];
}

/** One layer of the compiled Keras / TF.js model (both share class names and camelCase config keys in TF.js). */
export interface KerasLayerSpec {
  /**
   * Keras class name, which is also the TF.js `className`. Those Keras lacks are the project's
   * own, with their source in `custom`.
   */
  className: string;
  config: Record<string, unknown>;
  /** Appended to the node id to name this layer when a node compiles to several layers ('' for the main one). */
  suffix: string;
  /**
   * What Keras uses for an argument that is left out (camelCase keys, as `config`): exports leave
   * out arguments equal to it, so the code reads like hand-written Keras. A single number stands
   * for every axis of a window.
   */
  defaults?: Record<string, unknown>;
  /** The weights of the node, by Keras weight name ("kernel", "bias", "gamma"…), on the one layer that holds them. */
  weights?: Record<string, KerasWeight>;
  /** Present for a class of the project's own: its source. */
  custom?: KerasCustomLayer;
  /**
   * The node's inputs (edge indices) this layer reads, when it is the node's first layer and reads
   * not all of them: a crop to another tensor's size reads only the tensor it crops.
   */
  inputs?: number[];
}

/** A Keras / TF.js layer being imported into a design, as a layer type's `fromConfig` sees it. */
export interface KerasImportContext {
  className: string;
  /**
   * A config value by its snake_case key, whether the file wrote it in snake_case (Keras,
   * model.json) or camelCase (TF.js in memory).
   */
  get(key: string): unknown;
  /** Explicit padding on each side, from a padding layer before this one that folds into it. */
  padding?: number | number[];
  /** A Reshape to [1, 1, C] right after this layer folds into it (how global pooling with keepDims is written for TF.js). */
  keptDims?: boolean;
  /** Says why the layer cannot be imported (the import then lists it and returns no design). */
  report(message: string): void;
  /** The channels of the layer's (first) input, for a class whose config does not say them (a depthwise convolution's). */
  inputChannels(): number | undefined;
}

/** A layer type's mapping to Keras / TF.js and back: export, the TF.js compiler and import all read it. */
export interface KerasMapping<P> {
  /** The Keras classes that import reads as this type; the first is the one `toLayers` writes as its main layer. */
  classNames: readonly string[];
  /**
   * Padding layer classes `toLayers` writes before the main layer for explicit padding (and that
   * other tools write the same way): import folds them back into the `padding` parameter.
   */
  paddingClassNames?: readonly string[];
  /** The Keras / TF.js layers that compute the node, in order (the last one produces the node's output). */
  toLayers(params: P, inputShapes: Shape[]): KerasLayerSpec[];
  /**
   * Why Keras and TF.js cannot compute this node, for parameters they lack (a dilation with a
   * stride): the analysis only warns, other targets go on, and the Keras and TF.js exports and
   * TF.js training refuse the design, naming the node and this reason.
   */
  limitation?(params: P): string | undefined;
  /**
   * The node parameters for a layer of one of `classNames`, or undefined after reporting why the
   * designer cannot represent it. Parameters equal to their default are left out.
   */
  fromConfig(layer: KerasImportContext): Record<string, unknown> | undefined;
}

/** Per spatial axis, how the output size follows from the input: the course's formula with numbers. */
export interface AxisFormula {
  axis: 'height' | 'width' | 'length';
  input: number;
  kernel: number;
  stride: number;
  dilation: number;
  padBefore: number;
  padAfter: number;
  /** The exact quotient before flooring, e.g. 2.33 for 7×7 / 3×3 / stride 3. */
  exact: number;
  output: number;
  /** Human readable, e.g. "⌊(32 + 2·2 − 5) / 1⌋ + 1 = 32". */
  text: string;
}

export interface LayerInference {
  outputShape: Shape;
  trainableParams: number;
  nonTrainableParams: number;
  macs: number;
  /** Receptive field size and effective stride per spatial axis, when the output is still spatial. */
  receptiveField?: number[];
  effectiveStride?: number[];
  formulas?: AxisFormula[];
}

export interface InferArgs<P> {
  node: DesignNode;
  params: P;
  inputShapes: Shape[];
  /** Receptive fields and effective strides of the inputs (undefined where not spatial). */
  inputFields: readonly { readonly receptiveField?: number[]; readonly effectiveStride?: number[] }[];
  /** The nodes feeding each input, in edge order (for fixes that change a connection). */
  inputIds?: readonly string[];
  report: (diagnostic: DiagnosticInput) => void;
}

/**
 * Everything about one layer type: its parameters, shape rule, costs, PyTorch code and Keras / TF.js
 * mapping both ways. Adding a type is one file implementing this, its line in the catalog and its tests.
 */
export interface LayerType<P = Record<string, unknown>> {
  type: string;
  label: string;
  group: LayerGroup;
  description: string;
  params: ParamSpec[];
  /** How many incoming edges it takes. */
  inputs: { min: number; max: number };
  /** Short text for a block, e.g. "32 @ 3×3, s1, same". */
  summarize(params: P): string;
  /**
   * Output shape, costs and receptive field from the input shapes; reports problems through
   * `report`. Returns undefined when no output shape can be computed.
   */
  infer(args: InferArgs<P>): LayerInference | undefined;
  /** Its Keras / TF.js layers, both ways. */
  keras: KerasMapping<P>;
  /** The PyTorch modules and forward expression that compute it on channels-first tensors. */
  toPyTorch(params: P, inputShapes: Shape[], ctx: PyTorchContext): PyTorchLayerCode;
  /**
   * The ONNX operators that compute it on channels-first tensors (as the PyTorch export does, so
   * that its parameters are the PyTorch state_dict's tensors); returns the value holding the output.
   */
  toOnnx(params: P, inputShapes: Shape[], ctx: OnnxContext): string;
  /** How ONNX operators come back as this type on import (absent: the type is never imported from ONNX). */
  fromOnnx?: OnnxImportRule;
  /** Parameter sets the inspector offers as one click (e.g. PyTorch's defaults where the type keeps Keras'). */
  presets?: LayerPreset[];
}

/** A named set of parameter values the inspector shows and applies in one edit. */
export interface LayerPreset {
  /** The button's text, e.g. "Use PyTorch's defaults". */
  title: string;
  /** What it sets, in words, e.g. "epsilon 1e-5, momentum 0.9 (PyTorch's 0.1)". */
  detail: string;
  params: Record<string, unknown>;
}

/** The ONNX operators a layer type stands for, and how to read one into its params and weights. */
export interface OnnxImportRule {
  ops: readonly string[];
  /** Its operators may read a channels-last transpose (they work over the last axis, the channels): the output stays one. */
  readsChannelsLastView?: boolean;
  /**
   * The layer's params (and Keras-layout weights) for this operator, undefined when this type does
   * not fit it (another type claiming the op is tried), or a string saying why it cannot be imported.
   */
  read(node: OnnxNode, ctx: OnnxImportContext): OnnxImportedLayer | string | undefined;
}

export interface OnnxImportContext {
  /** Channels-last shapes (without batch) of the operator's data inputs. */
  inputShapes: Shape[];
  /** The constant tensor feeding input `index` (an initializer or Constant), if it is one. */
  constant(index: number): OnnxTensor | undefined;
  /** The channels-last spatial shape a flattened input came from (C·H·W order in ONNX), if any. */
  flattenedFrom?: Shape;
  /** Every operator reading the output flattens it (Flatten, or Reshape to (N, -1)), and at least one does. */
  onlyFlattened?: boolean;
  /** The data input is a channels-last transpose of a channels-first tensor: its last axis holds the channels. */
  channelsLastView?: boolean;
}

export interface OnnxImportedLayer {
  params: Record<string, unknown>;
  /** Weights in the Keras / TF.js layout, by Keras weight name (kernel, bias, gamma, …). */
  weights?: Record<string, { shape: number[]; data: Float32Array }>;
  /** Which operator inputs are data (edges); the rest are weights. Default: the first. */
  dataInputs?: number[];
}

/** How a new parameter tensor starts when the export has no trained weights for it. */
export type OnnxParameterInit = 'zeros' | 'ones' | { uniformFanIn: number } | { constant: number };

/** What a layer's ONNX code may create. Values are channels-first: (N, C, H, W), (N, C, L) or (N, F). */
export interface OnnxContext {
  /** The values feeding this node, in edge order. */
  inputs: string[];
  /**
   * An initializer for one of this node's parameters, named as the PyTorch export's state_dict key
   * (`conv1.weight`, `bn1.running_var`), so that trained weights and PyTorch checkpoints fit it.
   */
  parameter(name: string, shape: number[], init: OnnxParameterInit, moduleSuffix?: string): string;
  /** Adds an operator; returns its (first) output value. */
  op(opType: string, inputs: string[], attributes?: Record<string, OnnxAttributeValue>): string;
  /** An int64 constant (shapes, axes, pads). */
  ints(values: number[]): string;
  /** A float constant of the given shape (a scalar when `dims` is []). */
  floats(values: number[], dims: number[]): string;
}

/** What a layer's PyTorch code may refer to. */
export interface PyTorchContext {
  /** Python expression of this node's module with the given attribute suffix, e.g. "self.conv1". */
  module(suffix?: string): string;
  /** Python variables holding the inputs in forward, channels-first (N, C, H, W), (N, C, L) or (N, F). */
  inputs: string[];
}

/** A node's PyTorch code: sub-modules built in `__init__` and the expression `forward` evaluates. */
export interface PyTorchLayerCode {
  /** Constructor calls, e.g. "nn.Conv2d(1, 10, kernel_size=5)"; the weighted module has suffix ''. */
  modules: { suffix: string; init: string }[];
  /** Python expression of the node's output, using `ctx.inputs` and `ctx.module(...)`. */
  forward: string;
  /** Why the code looks the way it does, written above the forward line (e.g. Flatten's permute). */
  comment?: string;
  /**
   * For a layer written as a function (an activation): the same computation as one module, for
   * where it sits in an nn.Sequential (torchvision's `features.0.2` is an nn.ReLU6()).
   */
  asModule?: string;
  /**
   * Module classes torch.nn lacks (LayerScale, DropPath) that `modules` construct: each is written
   * once into the file, before the model's class, so the export runs with nothing but PyTorch.
   */
  definitions?: { name: string; python: string }[];
}
