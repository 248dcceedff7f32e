import type { CompiledGraph, CompiledLayer } from './compileGraph';
import { KERAS_INPUT_CLASS } from '../layers/inputLayer';
import { customLayers } from './customLayers';
import { exportHeader } from './exportHeader';
import { jsBlockCommentText, jsCommentLines, jsString } from './javascriptSource';
import { explicitArguments } from './kerasArguments';
import { kerasLimitationError } from './planKerasLayers';
import { blockFunctionCode, type FunctionLanguage } from './blockFunctions';

/** The TF.js factories whose names do not follow from the class name. */
const IRREGULAR_FACTORIES: Readonly<Record<string, string>> = { ELU: 'elu', PReLU: 'prelu', Cropping2D: 'cropping2D', Conv2DTranspose: 'conv2dTranspose' };

/** TF.js' factory for a Keras class: `tf.layers.conv2d` for Conv2D, `leakyReLU` for LeakyReLU. */
export const tfjsFactory = (className: string): string => IRREGULAR_FACTORIES[className] ?? className[0].toLowerCase() + className.slice(1).replace(/(\d)D$/, '$1d');

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

function layerCall(layer: CompiledLayer, nameCode?: string): string {
  // TF.js has Keras' defaults; leaving them out keeps the code readable.
  const config = jsValue({ ...Object.fromEntries(explicitArguments(layer)), name: layer.name }).replace(/name: '(?:[^'\\]|\\.)*' \}$/, (m) => (nameCode === undefined ? m : `name: ${nameCode} }`));
  // The project's own classes are defined in the file itself.
  if (layer.custom) return `new ${layer.className}(${config})`;
  return `tf.layers.${tfjsFactory(layer.className)}(${config})`;
}

const JS_RESERVED = new Set([
  'arguments', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'eval',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import', 'in', 'instanceof', 'interface', 'let', 'new',
  'null', 'package', 'private', 'protected', 'public', 'return', 'static', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof',
  'undefined', 'var', 'void', 'while', 'with', 'yield', 'NaN', 'Infinity', 'Math', 'Object', 'Array', 'console', 'require', 'module',
  'exports', 'tf', 'buildModel', 'startQuietly',
]);

/** TF.js code for a design's blocks: one JavaScript function per block, called per instance. */
const TFJS_FUNCTIONS: FunctionLanguage = {
  reserved: JS_RESERVED,
  functionName: (block) => block[0].toLowerCase() + block.slice(1),
  literal: jsValue,
  // JavaScript has no integer division: such an expression keeps the flat model.
  expression: (e, names) =>
    e.includes('//')
      ? undefined
      : e
          .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, n: string) => names.get(n) ?? n)
          .replace(/([=!])=(?!=)/g, '$1==')
          .replace(/\s+/g, ' ')
          .trim(),
  value: /(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b|\btrue\b|\bfalse\b)/,
  keywordArgument: /, [A-Za-z_][A-Za-z0-9_]*: (?:#|\[#, #\])(?=[,} ])/,
  layerLine: (layer, variable, inputs, nameCode) =>
    layer.className === KERAS_INPUT_CLASS
      ? `${variable} = tf.input({ shape: ${jsValue((layer.config.batchInputShape as (number | null)[]).slice(1))}, name: ${jsString(layer.name)} });`
      : `${variable} = ${layerCall(layer, nameCode)}.apply(${inputs.length === 1 ? inputs[0] : `[${inputs.join(', ')}]`});`,
  nameCode: (nameParameter, suffix) => `${nameParameter} + ${jsString(`_${suffix}`)}`,
  assign: (variable, value) => `${variable} = ${value};`,
  branches: (cases) =>
    cases.flatMap((c, i) => [`${i === 0 ? '' : '} else '}${c.test === undefined ? '{' : `if (${c.test}) {`}`, ...c.lines.map((l) => `  ${l}`), ...(i === cases.length - 1 ? ['}'] : [])]),
  equals: (variable, literals) => literals.map((l) => `${variable} === ${l}`).join(' || '),
  defineFunction: (name, doc, inputs, nameParameter, params, locals, body, outputs) => [
    `/** ${jsBlockCommentText(doc)} */`,
    `function ${name}(${[...inputs, nameParameter].join(', ')}, { ${params.map((p) => ('default' in p ? `${p.name} = ${jsValue(p.default)}` : p.name)).join(', ')} } = {}) {`,
    `  let ${locals.join(', ')};`,
    ...body.map((l) => `  ${l}`),
    `  return ${outputs.join(', ')};`,
    '}',
  ],
  call: (variable, fn, inputs, name, args) => `const ${variable} = ${fn}(${[...inputs, jsString(name)].join(', ')}, { ${args.map((a) => `${a.name}: ${jsValue(a.value)}`).join(', ')} });`,
};

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
  const refused = kerasLimitationError(graph.kerasLimitations, 'TF.js', `Cannot export "${graph.design.name}" to`);
  if (refused) throw refused;
  const custom = customLayers(graph.layers);
  const body: string[] = [];
  // A design with blocks reads like it: a function per block, called per instance.
  const blocks = graph.source ? blockFunctionCode(graph, TFJS_FUNCTIONS) : undefined;
  if (blocks) body.push(...blocks.body.map((l) => `  ${/^const /.test(l) ? l : `const ${l}`}`));
  else for (const layer of graph.layers) {
    if (layer.className === KERAS_INPUT_CLASS) {
      const shape = (layer.config.batchInputShape as (number | null)[]).slice(1);
      body.push(`  const ${layer.name} = tf.input({ shape: ${jsValue(shape)}, name: ${jsString(layer.name)} });`);
      continue;
    }
    const input = layer.inbound.length === 1 ? layer.inbound[0] : `[${layer.inbound.join(', ')}]`;
    body.push(`  const ${layer.name} = ${layerCall(layer)}.apply(${input});`);
  }
  const variableOf = blocks ? blocks.variableOf : (layer: string): string => layer;
  const inputs = graph.inputIds.map((id) => variableOf(graph.outputLayer.get(id)!));
  const outputs = graph.outputIds.map((id) => variableOf(graph.outputLayer.get(id)!));
  const header = exportHeader(graph, 'TF.js tf.LayersModel', (shape) => `the model takes [batch, ${shape.join(', ')}]`).flatMap(jsCommentLines).map((l) => `// ${l}`);
  return [
    ...header,
    `'use strict';`,
    `const tf = require('@tensorflow/tfjs');`,
    '',
    ...QUIET_NODE_START,
    '',
    ...custom.flatMap((c) => [c.js, '']),
    ...(blocks ? blocks.functions.flatMap((f) => [f, '']) : []),
    `/** Builds ${jsBlockCommentText(graph.design.name)} with fresh weights. */`,
    'function buildModel() {',
    '  startQuietly();',
    ...body,
    `  return tf.model({ inputs: [${inputs.join(', ')}], outputs: ${outputs.length === 1 ? outputs[0] : `[${outputs.join(', ')}]`}, name: ${jsValue(graph.design.name)} });`,
    '}',
    '',
    `module.exports = { buildModel${custom.map((c) => `, ${c.className}`).join('')} };`,
    '',
    'if (require.main === module) buildModel().summary();',
    '',
  ].join('\n');
}
