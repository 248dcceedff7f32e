import type { CompiledGraph, CompiledLayer } from './compileGraph';
import { JS_CUSTOM_LAYERS } from './customLayerCode';
import { exportHeader } from './exportHeader';
import { isDefault, snakeCase } from './exportKeras';
import { jsBlockCommentText, jsCommentLines, jsString } from './javascriptSource';

/** TF.js' factory for each Keras class the catalog uses (`tf.layers.<factory>`). */
const FACTORIES: Record<string, string> = {
  Conv2D: 'conv2d',
  Conv1D: 'conv1d',
  ZeroPadding2D: 'zeroPadding2d',
  MaxPooling2D: 'maxPooling2d',
  AveragePooling2D: 'averagePooling2d',
  MaxPooling1D: 'maxPooling1d',
  AveragePooling1D: 'averagePooling1d',
  GlobalAveragePooling2D: 'globalAveragePooling2d',
  GlobalMaxPooling2D: 'globalMaxPooling2d',
  Dense: 'dense',
  Flatten: 'flatten',
  Dropout: 'dropout',
  BatchNormalization: 'batchNormalization',
  Activation: 'activation',
  LeakyReLU: 'leakyReLU',
  Add: 'add',
  Concatenate: 'concatenate',
};

/** A JSON-like value as JavaScript source (keys unquoted where they are identifiers). */
export function jsValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsValue).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : jsString(k)}: ${jsValue(v)}`);
    return `{ ${entries.join(', ')} }`;
  }
  if (typeof value === 'string') return jsString(value);
  return String(value);
}

function layerCall(layer: CompiledLayer): string {
  // TF.js has Keras' defaults; leaving them out keeps the code readable.
  const kept = Object.entries(layer.config).filter(([k, v]) => !isDefault(layer.className, snakeCase(k), v, layer.config));
  const config = jsValue({ ...Object.fromEntries(kept), name: layer.name });
  if (JS_CUSTOM_LAYERS[layer.className]) return `new ${layer.className}(${config})`;
  const factory = FACTORIES[layer.className];
  if (!factory) throw new Error(`The TF.js export does not know the Keras layer ${layer.className} (node ${layer.nodeId}).`);
  return `tf.layers.${factory}(${config})`;
}

/**
 * In Node, TF.js' JavaScript backend prints a banner recommending @tensorflow/tfjs-node the first
 * time it stores a tensor. The exported module prints only what it is asked to: its first tensor is
 * stored with TF.js' messages off, and they are back on for everything after.
 */
const QUIET_NODE_START = [
  '/** Stores TF.js\' first tensor without the banner its JavaScript backend prints in Node about @tensorflow/tfjs-node. */',
  'function startQuietly() {',
  '  tf.backend(); // chooses the backend: in Node without the native engine, TF.js\' JavaScript one (cpu)',
  "  if (tf.getBackend() !== 'cpu') return;",
  "  const quiet = tf.env().getBool('PROD');",
  "  tf.env().set('PROD', true);",
  '  try {',
  '    tf.zeros([1]).dispose();',
  '  } finally {',
  "    tf.env().set('PROD', quiet);",
  '  }',
  '}',
];

/**
 * A CommonJS module that builds the design as a `tf.LayersModel` with the functional API
 * (`buildModel()`), defining the project's own layers it needs so it runs with only
 * `@tensorflow/tfjs` installed. Run directly, it prints the model summary.
 */
export function exportTfjs(graph: CompiledGraph): string {
  const custom = [...new Set(graph.layers.map((l) => l.className))].filter((c) => JS_CUSTOM_LAYERS[c]);
  const body: string[] = [];
  for (const layer of graph.layers) {
    if (layer.className === 'InputLayer') {
      const shape = (layer.config.batchInputShape as (number | null)[]).slice(1);
      body.push(`  const ${layer.name} = tf.input({ shape: ${jsValue(shape)}, name: ${jsString(layer.name)} });`);
      continue;
    }
    const input = layer.inbound.length === 1 ? layer.inbound[0] : `[${layer.inbound.join(', ')}]`;
    body.push(`  const ${layer.name} = ${layerCall(layer)}.apply(${input});`);
  }
  const inputs = graph.inputIds.map((id) => graph.outputLayer.get(id)!);
  const outputs = graph.outputIds.map((id) => graph.outputLayer.get(id)!);
  const header = exportHeader(graph, 'TF.js tf.LayersModel', (shape) => `the model takes [batch, ${shape.join(', ')}]`).flatMap(jsCommentLines).map((l) => `// ${l}`);
  return [
    ...header,
    `'use strict';`,
    `const tf = require('@tensorflow/tfjs');`,
    '',
    ...QUIET_NODE_START,
    '',
    ...custom.flatMap((c) => [JS_CUSTOM_LAYERS[c], '']),
    `/** Builds ${jsBlockCommentText(graph.design.name)} with fresh weights. */`,
    'function buildModel() {',
    '  startQuietly();',
    ...body,
    `  return tf.model({ inputs: [${inputs.join(', ')}], outputs: ${outputs.length === 1 ? outputs[0] : `[${outputs.join(', ')}]`}, name: ${jsValue(graph.design.name)} });`,
    '}',
    '',
    `module.exports = { buildModel${custom.map((c) => `, ${c}`).join('')} };`,
    '',
    'if (require.main === module) buildModel().summary();',
    '',
  ].join('\n');
}
