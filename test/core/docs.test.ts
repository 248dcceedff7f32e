import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layerReferenceMarkdown } from '../../src/core/docs/layerReferenceMarkdown';
import { LAYER_CATALOG } from '../../src/core/layers/layerCatalog';

describe('docs/format.md', () => {
  it('documents every layer type and parameter exactly as the catalog defines them (run scripts/buildDocs.ts after a change)', () => {
    const text = readFileSync(join(__dirname, '..', '..', 'docs', 'format.md'), 'utf8');
    assert.ok(text.includes(layerReferenceMarkdown()), 'the layer reference is out of date');
    for (const layer of LAYER_CATALOG) for (const p of layer.params) assert.ok(text.includes(`\`${p.name}\``), `${layer.type}.${p.name}`);
  });
});
