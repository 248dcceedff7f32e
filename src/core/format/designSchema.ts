import { DESIGN_FORMAT, DESIGN_VERSION } from '../design';
import { LAYER_CATALOG } from '../layers/layerCatalog';
import type { ParamSpec } from '../layers/layerType';
import { NODE_ID_PATTERN } from './nodeIdProblem';

type JsonSchema = Record<string, unknown>;

/** The JSON schema of one parameter, from the same spec that drives validation and the inspector. */
function paramSchema(spec: ParamSpec): JsonSchema {
  const doc: JsonSchema = { description: `${spec.label}${spec.unit ? ` (${spec.unit})` : ''}: ${spec.doc}` };
  if (spec.default !== undefined) doc.default = spec.default;
  const positiveInts = (min: number, count: number): JsonSchema => ({ type: 'array', items: { type: 'integer', minimum: min }, minItems: count, maxItems: count });
  switch (spec.kind) {
    case 'int':
      return { ...doc, type: 'integer', ...(spec.min !== undefined ? { minimum: spec.min } : {}), ...(spec.max !== undefined ? { maximum: spec.max } : {}) };
    case 'number':
      return {
        ...doc,
        type: 'number',
        ...(spec.min !== undefined ? { minimum: spec.min } : {}),
        ...(spec.max !== undefined ? (spec.exclusiveMax ? { exclusiveMaximum: spec.max } : { maximum: spec.max }) : {}),
      };
    case 'bool':
      return { ...doc, type: 'boolean' };
    case 'enum':
      return { ...doc, enum: [...spec.options] };
    case 'window':
      return { ...doc, oneOf: [{ type: 'integer', minimum: spec.min }, positiveInts(spec.min, spec.dims)] };
    case 'padding':
      return { ...doc, oneOf: [{ enum: ['valid', 'same'] }, { type: 'integer', minimum: 0 }, positiveInts(0, spec.dims)] };
    case 'shape':
      return { ...doc, type: 'array', items: { type: 'integer', minimum: 1, maximum: 1_000_000 }, minItems: 1, maxItems: 3 };
  }
}

/**
 * The JSON schema (draft-07) of the `.cnn.json` format, generated from the layer catalog so
 * completion and validation while editing the text agree with the designer. Written to
 * `schemas/cnn-design.schema.json` by `npm run build:schema`.
 */
export function designSchema(): JsonSchema {
  const layerRules = LAYER_CATALOG.map((layer) => ({
    if: { properties: { type: { const: layer.type } }, required: ['type'] },
    then: {
      properties: {
        params: {
          type: 'object',
          description: `Parameters of ${layer.label}.`,
          properties: Object.fromEntries(layer.params.map((p) => [p.name, paramSchema(p)])),
          required: layer.params.filter((p) => p.required).map((p) => p.name),
          additionalProperties: false,
        },
      },
    },
  }));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://cnn-designer.invalid/schemas/cnn-design.schema.json',
    title: 'CNN Designer design',
    description: 'A convolutional neural network designed with CNN Designer: layers (nodes), their connections (edges) and training settings.',
    type: 'object',
    required: ['format', 'version', 'nodes'],
    properties: {
      format: { const: DESIGN_FORMAT, description: 'Marks the file as a CNN Designer design.' },
      version: { type: 'integer', minimum: 1, maximum: DESIGN_VERSION, description: 'Format version.' },
      name: { type: 'string', description: 'Name of the design.' },
      description: { type: 'string' },
      nodes: {
        type: 'array',
        description: 'The layers.',
        items: {
          type: 'object',
          required: ['id', 'type'],
          properties: {
            id: { type: 'string', pattern: NODE_ID_PATTERN.source, description: 'Unique id; edges refer to it. A letter, then up to 63 letters, digits, "_", "." or "-".' },
            type: { enum: LAYER_CATALOG.map((l) => l.type), description: 'Layer type.', markdownEnumDescriptions: LAYER_CATALOG.map((l) => `**${l.label}**: ${l.description}`) },
            name: { type: 'string', description: 'Display name; the id is shown when absent.' },
            params: { type: 'object' },
            position: {
              type: 'object',
              description: 'Where the block sits on the canvas.',
              properties: { x: { type: 'number' }, y: { type: 'number' } },
              required: ['x', 'y'],
              additionalProperties: false,
            },
          },
          allOf: layerRules,
        },
      },
      edges: {
        type: 'array',
        description: 'Connections: the output of source feeds the input of target. Add and Concat take several.',
        items: {
          type: 'object',
          required: ['source', 'target'],
          properties: { source: { type: 'string', minLength: 1 }, target: { type: 'string', minLength: 1 } },
        },
      },
      training: {
        type: 'object',
        description: 'Training settings, versioned with the design.',
        properties: {
          dataset: { type: 'string' },
          datasetPath: { type: 'string' },
          epochs: { type: 'integer', minimum: 1 },
          batchSize: { type: 'integer', minimum: 1 },
          optimizer: { enum: ['sgd', 'adam', 'rmsprop'] },
          learningRate: { type: 'number', exclusiveMinimum: 0 },
          momentum: { type: 'number', minimum: 0, maximum: 1 },
          schedule: { enum: ['constant', 'exponential', 'step'] },
          decayRate: { type: 'number', exclusiveMinimum: 0 },
          decaySteps: { type: 'integer', minimum: 1 },
          loss: { enum: ['crossEntropy', 'nll'] },
          l2: { type: 'number', minimum: 0 },
          earlyStoppingPatience: { type: 'integer', minimum: 0 },
          validationSplit: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
          standardize: { type: 'boolean' },
          augment: {
            type: 'object',
            properties: { horizontalFlip: { type: 'boolean' }, translate: { type: 'number', minimum: 0 }, cropPadding: { type: 'integer', minimum: 0 } },
          },
          seed: { type: 'integer' },
          backend: { type: 'string' },
        },
      },
    },
  };
}
