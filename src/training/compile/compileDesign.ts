/**
 * Turns a design into a TF.js model with the functional API: every node becomes the layers its
 * catalog entry's `keras.toLayers` lists (named node id + suffix), wired along the design's graph, so
 * branches and merges compile as drawn. Per-node output shapes and parameter counts equal the
 * core's analysis, which the property tests check.
 */
import * as tf from '@tensorflow/tfjs';
import { analyzeDesign, type DesignAnalysis } from '../../core/analysis/analyzeDesign';
import type { Design } from '../../core/design';
import { kerasLimitationError, planKerasLayers } from '../../core/export/planKerasLayers';
import type { KerasLayerSpec } from '../../core/layers/layerType';
import { KERAS_BATCH_NORMALIZATION } from '../../core/layers/batchNormLayer';
import { KERAS_RELU } from '../../core/layers/kerasActivations';
import { registerCustomLayers } from './customLayers';
import { fastBatchNormClass } from './fastBatchNorm';
import { fastDropoutClass } from './fastDropout';
import { fastReluClass } from './fastRelu6';
import { trainableConv2DClass } from './trainableConv2D';
import { registerConv2dGradient } from '../engine/kernels/conv2dGradient';
import { registerDepthwiseConv2dGradient } from '../engine/kernels/depthwiseConv2dGradient';

/**
 * Builds one TF.js layer from a catalog spec through TF.js' own class registry (built-in and ours
 * alike); Conv2D trains unfused, Dropout draws its mask faster, BatchNormalization trains through
 * a fused kernel and ReLU capped at 6 is one Relu6, all saved as TF.js' own.
 */
function createLayer(spec: KerasLayerSpec, name: string): tf.layers.Layer {
  if (spec.className === 'Conv2D') {
    const TrainableConv2D = trainableConv2DClass();
    return new TrainableConv2D({ ...spec.config, name } as tf.serialization.ConfigDict);
  }
  if (spec.className === KERAS_BATCH_NORMALIZATION) {
    const FastBatchNorm = fastBatchNormClass();
    return new FastBatchNorm({ ...spec.config, name } as tf.serialization.ConfigDict);
  }
  if (spec.className === KERAS_RELU) {
    const FastReLU = fastReluClass();
    return new FastReLU({ ...spec.config, name } as tf.serialization.ConfigDict);
  }
  if (spec.className === 'Dropout') {
    const FastDropout = fastDropoutClass();
    return new FastDropout({ ...spec.config, name } as tf.serialization.ConfigDict);
  }
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[spec.className];
  if (!entry) throw new Error(`Layer "${name}": TF.js has no layer class "${spec.className}".`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, { ...spec.config, name } as tf.serialization.ConfigDict) as tf.layers.Layer;
}

function describeErrors(analysis: DesignAnalysis): string {
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const lines = errors.slice(0, 5).map((d) => `  - ${d.nodeId ? `${d.nodeId}: ` : ''}${d.message}`);
  if (errors.length > 5) lines.push(`  - … and ${errors.length - 5} more`);
  return lines.join('\n');
}

export interface CompileOptions {
  /**
   * The model only holds the weights another engine trains (the PyTorch engine's start and
   * checkpoints): layers TF.js builds but cannot run (a dilation with a stride) are let through.
   */
  weightsOnly?: boolean;
}

/**
 * The design as an (uncompiled) `tf.LayersModel`: one model input per Input node, one output per
 * layer nothing else reads. Throws when the design has analysis errors, listing them.
 */
export function compileDesign(written: Design, options: CompileOptions = {}): tf.LayersModel {
  registerCustomLayers();
  registerConv2dGradient();
  registerDepthwiseConv2dGradient();
  const analysis = analyzeDesign(written);
  // Block instances train as the layers they expand to.
  const design = analysis.expansion?.design ?? written;
  if (!analysis.valid) throw new Error(`The design "${design.name}" cannot be compiled because it has errors:\n${describeErrors(analysis)}`);
  if (analysis.outputIds.length === 0) throw new Error(`The design "${design.name}" has no layer after its input, so there is nothing to train.`);

  const graph = analysis.graph;
  const inputIds = new Set(graph.inputIds);
  // Layers named after the raw node ids, so a run's weights are found by node id.
  const plan = planKerasLayers(design, analysis, analysis.order, { nameOf: (id) => id, whenTaken: 'refuse' });
  const refused = kerasLimitationError(plan.limitations, 'TF.js (the PyTorch engine trains it)', `The design "${design.name}" cannot train with`);
  if (refused && !options.weightsOnly) throw refused;
  const tensors = new Map<string, tf.SymbolicTensor>();
  const inputs: { id: string; tensor: tf.SymbolicTensor }[] = [];
  for (const spec of plan.layers) {
    if (inputIds.has(spec.nodeId)) {
      const input = tf.input({ shape: analysis.nodes[spec.nodeId].outputShape!, name: spec.name });
      inputs.push({ id: spec.nodeId, tensor: input });
      tensors.set(spec.name, input);
      continue;
    }
    const sources = spec.inbound.map((name) => tensors.get(name)!);
    tensors.set(spec.name, createLayer(spec, spec.name).apply(sources.length === 1 ? sources[0] : sources) as tf.SymbolicTensor);
  }

  // An Input that reaches no output would make TF.js refuse the graph; the analysis only warns about it.
  const usedInputs = inputs.filter((input) => graph.consumers(input.id).length > 0);
  return tf.model({
    inputs: usedInputs.map((input) => input.tensor),
    outputs: analysis.outputIds.map((id) => tensors.get(plan.outputLayer.get(id)!)!),
    name: design.name.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'design',
  });
}
