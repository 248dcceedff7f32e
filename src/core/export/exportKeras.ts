import { pyNumber } from '../layers/pytorchCode';
import type { CompiledGraph, CompiledLayer } from './compileGraph';
import { KERAS_INPUT_CLASS } from '../layers/inputLayer';
import { customLayers } from './customLayers';
import { explicitArguments } from './kerasArguments';
import { kerasLimitationError } from './planKerasLayers';
import { exportHeader, modelName } from './exportHeader';
import { pyCommentLines, pyDocstringText, pyString } from './pythonSource';
import { blockFunctionCode, type FunctionLanguage } from './blockFunctions';
import { pyExpression } from './pytorchBlocks';
import { pythonConditions } from './pythonConditions';

/** A JSON-like value as a Python literal: lists become tuples, as Keras writes window sizes. */
export function pyValue(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return value === -Infinity ? 'float("-inf")' : pyNumber(value);
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `(${value.map(pyValue).join(', ')}${value.length === 1 ? ',' : ''})`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyString(k)}: ${pyValue(v)}`).join(', ')}}`;
}

/** TF.js' camelCase config key as Keras' snake_case argument: kernelSize → kernel_size. */
export const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function layerCall(layer: CompiledLayer, nameCode = pyString(layer.name)): string {
  const args = explicitArguments(layer).map(([k, v]) => `${snakeCase(k)}=${pyValue(v)}`);
  args.push(`name=${nameCode}`);
  // The project's own classes are defined in the file itself.
  return `${layer.custom && !layer.custom.inKeras ? '' : 'layers.'}${layer.className}(${args.join(', ')})`;
}

const inputShape = (layer: CompiledLayer): number[] => (layer.config.batchInputShape as number[]).slice(1);

const PYTHON_RESERVED = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield', 'tf', 'keras', 'layers', 'build_model', 'print', 'float', 'int', 'len', 'range',
]);

/** Keras code for a design's blocks: one Python function per block, called per instance. */
const KERAS_FUNCTIONS: FunctionLanguage = {
  reserved: PYTHON_RESERVED,
  functionName: (block) => block.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase(),
  literal: pyValue,
  expression: (e, names) => pyExpression(e, names),
  value: pythonConditions.value,
  keywordArgument: /, [A-Za-z_][A-Za-z0-9_]*=(?:#|\(#, #\))(?=[,)])/,
  layerLine: (layer, variable, inputs, nameCode) =>
    layer.className === KERAS_INPUT_CLASS
      ? `${variable} = keras.Input(shape=${pyValue(inputShape(layer))}, name=${pyString(layer.name)})`
      : `${variable} = ${layerCall(layer, nameCode)}(${inputs.length === 1 ? inputs[0] : `[${inputs.join(', ')}]`})`,
  nameCode: (nameParameter, suffix) => `${nameParameter} + ${pyString(`_${suffix}`)}`,
  assign: (variable, value) => `${variable} = ${value}`,
  branches: pythonConditions.branches,
  equals: pythonConditions.equals,
  defineFunction: (name, doc, inputs, nameParameter, params, _locals, body, outputs) => {
    const required = params.filter((p) => !('default' in p)).map((p) => p.name);
    const optional = params.filter((p) => 'default' in p).map((p) => `${p.name}=${pyValue(p.default)}`);
    return [
      `def ${name}(${[...inputs, nameParameter, ...required, ...optional].join(', ')}):`,
      `    """${pyDocstringText(doc)}"""`,
      ...body.map((l) => `    ${l}`),
      `    return ${outputs.join(', ')}`,
    ];
  },
  call: (variable, fn, inputs, name, args) => `${variable} = ${fn}(${[...inputs, pyString(name), ...args.map((a) => `${a.name}=${pyValue(a.value)}`)].join(', ')})`,
};

/**
 * tf.keras code building the design: `keras.Sequential` when it is a chain, the functional API when
 * it branches or has several inputs or outputs. Defines the project's own layers it needs.
 */
export function exportKeras(graph: CompiledGraph): string {
  const refused = kerasLimitationError(graph.kerasLimitations, 'Keras', `Cannot export "${graph.design.name}" to`);
  if (refused) throw refused;
  const custom = customLayers(graph.layers).filter((c) => !c.inKeras);
  const name = pyString(modelName(graph.design.name));
  const body: string[] = [];
  // A design with blocks reads like it: a function per block, called per instance.
  const blocks = graph.source ? blockFunctionCode(graph, KERAS_FUNCTIONS) : undefined;
  if (blocks) {
    body.push(...blocks.body.map((l) => `    ${l}`));
    const inputs = graph.inputIds.map((id) => blocks.variableOf(graph.outputLayer.get(id)!));
    const outputs = graph.outputIds.map((id) => blocks.variableOf(graph.outputLayer.get(id)!));
    body.push(`    return keras.Model(inputs=[${inputs.join(', ')}], outputs=${outputs.length === 1 ? outputs[0] : `[${outputs.join(', ')}]`}, name=${name})`);
  } else if (graph.isChain) {
    body.push('    return keras.Sequential(', '        [');
    for (const layer of graph.layers) {
      body.push(layer.className === KERAS_INPUT_CLASS ? `            keras.Input(shape=${pyValue(inputShape(layer))}, name=${pyString(layer.name)}),` : `            ${layerCall(layer)},`);
    }
    body.push('        ],', `        name=${name},`, '    )');
  } else {
    for (const layer of graph.layers) {
      if (layer.className === KERAS_INPUT_CLASS) {
        body.push(`    ${layer.name} = keras.Input(shape=${pyValue(inputShape(layer))}, name=${pyString(layer.name)})`);
        continue;
      }
      const input = layer.inbound.length === 1 ? layer.inbound[0] : `[${layer.inbound.join(', ')}]`;
      body.push(`    ${layer.name} = ${layerCall(layer)}(${input})`);
    }
    const inputs = graph.inputIds.map((id) => graph.outputLayer.get(id)!);
    const outputs = graph.outputIds.map((id) => graph.outputLayer.get(id)!);
    body.push(`    return keras.Model(inputs=[${inputs.join(', ')}], outputs=${outputs.length === 1 ? outputs[0] : `[${outputs.join(', ')}]`}, name=${name})`);
  }
  const header = exportHeader(graph, 'tf.keras model', (shape) => `the model takes (batch, ${shape.join(', ')})`).flatMap(pyCommentLines).map((l) => `# ${l}`);
  return [
    ...header,
    'import tensorflow as tf',
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    '',
    '',
    ...custom.flatMap((c) => [c.python, '', '']),
    ...(blocks ? blocks.functions.flatMap((f) => [f, '', '']) : []),
    'def build_model():',
    `    """Builds ${pyDocstringText(graph.design.name)} with fresh weights."""`,
    ...body,
    '',
    '',
    'if __name__ == "__main__":',
    '    build_model().summary()',
    '',
  ].join('\n');
}
