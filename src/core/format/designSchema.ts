import { DESIGN_FORMAT, DESIGN_VERSION } from '../design';
import { LAYER_CATALOG } from '../layers/layerCatalog';
import type { ParamSpec } from '../layers/layerType';
import { NODE_ID_PATTERN } from './nodeIdProblem';
import { describeDefault, TRAINING_SETTING_GROUPS, TRAINING_SETTINGS, type TrainingSettingSpec } from '../training/trainingSettingsSpec';

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
    case 'sides':
      return {
        ...doc,
        oneOf: [{ type: 'integer', minimum: 0 }, ...(spec.dims === 2 ? [positiveInts(0, 2), positiveInts(0, 4)] : [positiveInts(0, 2)])],
      };
    case 'shape':
      return { ...doc, type: 'array', items: { type: 'integer', minimum: 1, maximum: 1_000_000 }, minItems: 1, maxItems: 3 };
  }
}

/** The JSON schema of one training setting, from the training settings specification. */
function trainingSettingSchema(spec: TrainingSettingSpec): JsonSchema {
  const doc: JsonSchema = { description: `${spec.label}: ${spec.doc} (default: ${describeDefault(spec)}).` };
  if (spec.default !== undefined && typeof spec.default !== 'object') doc.default = spec.default;
  switch (spec.kind) {
    case 'int':
      return { ...doc, type: 'integer', minimum: spec.min, maximum: spec.max };
    case 'number':
      return {
        ...doc,
        type: 'number',
        ...(spec.minExclusive ? { exclusiveMinimum: spec.min } : { minimum: spec.min }),
        ...(spec.max === undefined ? {} : spec.maxExclusive ? { exclusiveMaximum: spec.max } : { maximum: spec.max }),
      };
    case 'bool':
      return { ...doc, type: 'boolean' };
    case 'enum':
      return { ...doc, enum: [...spec.options] };
    case 'path':
      return { ...doc, type: 'string', minLength: 1, maxLength: spec.maxLength, pattern: '^[^\\u0000]*$' };
  }
}

/** The `training` block: every setting of the specification, nothing else. */
function trainingSchema(): JsonSchema {
  const settings: readonly TrainingSettingSpec[] = TRAINING_SETTINGS;
  const propertiesOf = (prefix: string): JsonSchema =>
    Object.fromEntries(settings.filter((s) => (prefix ? s.key.startsWith(`${prefix}.`) : !s.key.includes('.'))).map((s) => [prefix ? s.key.slice(prefix.length + 1) : s.key, trainingSettingSchema(s)]));
  const properties = propertiesOf('');
  for (const group of TRAINING_SETTING_GROUPS) properties[group] = { type: 'object', description: `The ${group} settings.`, properties: propertiesOf(group), additionalProperties: false };
  return { type: 'object', description: 'Training settings, versioned with the design.', properties, additionalProperties: false };
}

const BLOCK_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_]{0,63}$';
const IDENTIFIER_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';

const edgeSchema: JsonSchema = {
  type: 'object',
  required: ['source', 'target'],
  properties: {
    source: { type: 'string', minLength: 1 },
    target: { type: 'string', minLength: 1 },
    sourcePort: { type: 'string', description: 'Which output of a block instance with several outputs the connection reads.' },
    targetPort: { type: 'string', description: 'Which input of a block instance the connection feeds (otherwise inputs bind in edge order).' },
  },
};

/**
 * A node: a layer (its params checked by `layerRules`) or a block instance. Inside a block no
 * rules apply to params, which may be "$parameter" expressions.
 */
function nodeSchema(layerRules: JsonSchema[]): JsonSchema {
  const expression = { type: 'string', pattern: '\\$[A-Za-z_]' };
  return {
    type: 'object',
    required: ['id', 'type'],
    properties: {
      id: { type: 'string', pattern: NODE_ID_PATTERN.source, description: 'Unique id; edges refer to it. A letter, then up to 63 letters, digits, "_", "." or "-".' },
      type: {
        anyOf: [
          { enum: LAYER_CATALOG.map((l) => l.type), markdownEnumDescriptions: LAYER_CATALOG.map((l) => `**${l.label}**: ${l.description}`) },
          { type: 'string', pattern: BLOCK_NAME_PATTERN, description: 'The name of a block of this design: an instance of it.' },
        ],
        description: 'Layer type, or the name of a block.',
      },
      name: { type: 'string', description: 'Display name; the id is shown when absent.' },
      params: { type: 'object' },
      repeat: { anyOf: [{ type: 'integer', minimum: 1, maximum: 1000 }, expression], description: 'A block instance: this many copies one after the other (a stage).' },
      overrides: {
        type: 'object',
        description: 'A stage: arguments of single copies, by copy number from 0, e.g. {"0": {"stride": 2}}.',
        propertyNames: { pattern: '^(0|[1-9][0-9]*)$' },
        additionalProperties: { type: 'object' },
      },
      when: { anyOf: [{ type: 'boolean' }, expression], description: 'Inside a block: when false, the node is left out and its input (an Add\'s first) flows on.' },
      position: {
        type: 'object',
        description: 'Where the block sits on the canvas.',
        properties: { x: { type: 'number' }, y: { type: 'number' } },
        required: ['x', 'y'],
        additionalProperties: false,
      },
    },
    ...(layerRules.length ? { allOf: layerRules } : {}),
  };
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
    // Without blocks, a type can only be a layer type (a misspelt one is flagged while typing).
    if: { not: { required: ['blocks'] } },
    then: { properties: { nodes: { items: { properties: { type: { enum: LAYER_CATALOG.map((l) => l.type) } } } } } },
    properties: {
      format: { const: DESIGN_FORMAT, description: 'Marks the file as a CNN Designer design.' },
      version: { type: 'integer', minimum: 1, maximum: DESIGN_VERSION, description: 'Format version.' },
      name: { type: 'string', description: 'Name of the design.' },
      description: { type: 'string' },
      blocks: {
        type: 'object',
        description: 'Reusable blocks by name: a node whose type names one is an instance of it (docs/format.md, "blocks").',
        propertyNames: { pattern: BLOCK_NAME_PATTERN },
        additionalProperties: {
          type: 'object',
          // A block of another design file: {"from": "./blocks.cnn.json"} takes the one of the same name there.
          if: { required: ['from'] },
          then: {
            properties: {
              from: { type: 'string', pattern: '^\\.\\.?/[^\\\\]*\\.cnn\\.json$', description: 'The design file the block is defined in, relative to this one\'s folder ("./blocks.cnn.json", "../shared/resnet.cnn.json").' },
              block: { type: 'string', pattern: BLOCK_NAME_PATTERN, description: 'The block\'s name in that file, when it is not the name it has here.' },
            },
            required: ['from'],
            additionalProperties: false,
          },
          else: { required: ['inputs', 'outputs', 'nodes'] },
          properties: {
            description: { type: 'string' },
            params: {
              type: 'object',
              description: 'The block\'s parameters; node params inside the block read them as "$name" expressions.',
              propertyNames: { pattern: IDENTIFIER_PATTERN },
              additionalProperties: {
                type: 'object',
                properties: { default: { description: 'The value when an instance does not give one; without it every instance must.' }, doc: { type: 'string' } },
                additionalProperties: false,
              },
            },
            inputs: { type: 'array', items: { type: 'string', pattern: IDENTIFIER_PATTERN }, minItems: 1, description: 'Names the block\'s edges read from.' },
            outputs: { type: 'array', items: { type: 'string', pattern: IDENTIFIER_PATTERN }, minItems: 1, description: 'Names the block\'s edges feed; each takes one connection.' },
            nodes: { type: 'array', description: 'The layers and block instances inside the block.', items: nodeSchema([]) },
            edges: { type: 'array', items: edgeSchema },
          },
        },
      },
      nodes: {
        type: 'array',
        description: 'The layers.',
        items: nodeSchema(layerRules),
      },
      edges: {
        type: 'array',
        description: 'Connections: the output of source feeds the input of target. Add and Concat take several.',
        items: edgeSchema,
      },
      training: trainingSchema(),
    },
  };
}
