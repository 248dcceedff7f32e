import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { designSchema } from '../../src/core/format/designSchema';
import { LAYER_CATALOG } from '../../src/core/layers/layerCatalog';
import { randomValidDesign } from '../support/randomDesign';
import { serializeDesign } from '../../src/core/format/serializeDesign';

// VS Code's JSON language service knows `markdownEnumDescriptions`; a plain validator does not need to.
const validate = new Ajv({ strict: false, allErrors: true }).compile(designSchema());
const errorsOf = (value: unknown): string => JSON.stringify(validate.errors);

describe('designSchema (JSON schema for hand editing)', () => {
  it('is what schemas/cnn-design.schema.json holds (regenerate with npm run build:schema)', () => {
    assert.deepEqual(JSON.parse(readFileSync('schemas/cnn-design.schema.json', 'utf8')), designSchema());
  });

  it('accepts every template and random valid designs', () => {
    for (const file of readdirSync('examples').filter((f) => f.endsWith('.cnn.json'))) {
      const value = JSON.parse(readFileSync(`examples/${file}`, 'utf8'));
      assert.ok(validate(value), `${file}: ${errorsOf(value)}`);
    }
    for (let seed = 1; seed <= 100; seed++) {
      const value = JSON.parse(serializeDesign(randomValidDesign(seed, { branches: true })));
      assert.ok(validate(value), `seed ${seed}: ${errorsOf(value)}`);
    }
  });

  it('flags what the designer flags: bad values, unknown parameters and layer types', () => {
    const base = JSON.parse(readFileSync('examples/mnist-cnn.cnn.json', 'utf8'));
    const variant = (change: (v: { nodes: { type: string; params: Record<string, unknown> }[] }) => void): unknown => {
      const copy = structuredClone(base);
      change(copy);
      return copy;
    };
    const conv = (v: { nodes: { type: string; params: Record<string, unknown> }[] }) => v.nodes.find((n) => n.type === 'Conv2D')!;
    assert.ok(!validate(variant((v) => (conv(v).params.strides = 0))));
    assert.ok(!validate(variant((v) => ((v.nodes[1] as { id?: string }).id = 'conv\rimport os'))), 'an id outside the id rule is flagged while typing');
    assert.ok(!validate(variant((v) => (conv(v).params.padding = 'full'))));
    assert.ok(!validate(variant((v) => (conv(v).params.kernelSize = [3, 3, 3]))));
    assert.ok(!validate(variant((v) => (conv(v).params.filter = 3))), 'misspelled parameter');
    assert.ok(!validate(variant((v) => delete conv(v).params.filters)), 'required parameter missing');
    assert.ok(!validate(variant((v) => (conv(v).type = 'Conv3D'))));
    assert.ok(validate(variant((v) => (conv(v).params.padding = [1, 2]))));
  });

  it('accepts designs with blocks (the templates hold one) and flags a misspelt block field', () => {
    const value = JSON.parse(readFileSync('examples/resnet18-blocks.cnn.json', 'utf8')) as any;
    assert.ok(validate(value), errorsOf(value));
    const broken: any = structuredClone(value);
    broken.nodes.find((n: { repeat?: number }) => n.repeat).repeat = 0;
    assert.ok(!validate(broken), 'repeat 0');
    const unknownKey: any = structuredClone(value);
    unknownKey.blocks.BasicBlock.params.planes.defualt = 1;
    assert.ok(!validate(unknownKey), 'misspelt "default"');
  });

  it('accepts a block taken from another file and flags an absolute path or definition keys beside "from"', () => {
    const value = JSON.parse(readFileSync('examples/resnet18-blocks.cnn.json', 'utf8')) as any;
    const withFrom = (entry: unknown): any => ({ ...value, blocks: { BasicBlock: entry } });
    assert.ok(validate(withFrom({ from: '../shared/resnet-blocks.cnn.json' })), errorsOf(null));
    assert.ok(validate(withFrom({ from: './lib.cnn.json', block: 'ResidualBlock' })), errorsOf(null));
    assert.ok(!validate(withFrom({ from: '/home/lib.cnn.json' })), 'an absolute path');
    assert.ok(!validate(withFrom({ from: './lib.cnn.json', nodes: [] })), 'a definition key beside "from"');
    assert.ok(!validate(withFrom({ from: './lib.cnn.json', blok: 'X' })), 'a misspelt "block"');
  });

  it('describes every parameter of every layer type', () => {
    const text = JSON.stringify(designSchema());
    for (const layer of LAYER_CATALOG) for (const p of layer.params) assert.ok(text.includes(`"${p.label}${p.unit ? ` (${p.unit})` : ''}: `), `${layer.type}.${p.name}`);
  });
});
