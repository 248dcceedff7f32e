/**
 * TensorFlow for Python cannot be installed here, so the Keras export is checked without running
 * it: Python compiles every file, and its layers (class, arguments, inputs) read from the syntax
 * tree must be exactly those of the TF.js export built from the same design.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../../src/core/export/compileGraph';
import { exportDesign } from '../../src/core/export/exportDesign';
import { snakeCase } from '../../src/core/export/exportKeras';
import { isKerasDefault } from '../../src/core/export/kerasArguments';
import { onlyCases, handmadeCases, randomCases, templateCases } from './support/exportCases';
import { runPython } from './support/python';
import { loadTfjsExport, usePlainCpuBackend } from './support/tfjsExport';

interface KerasLayerFacts {
  className: string;
  kwargs: Record<string, unknown>;
  inputs: string[];
}

const camelCase = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Keras writes (3,) or 3 where TF.js' config holds [3]; compare values after that. */
function sameValue(keras: unknown, tfjs: unknown): boolean {
  if (Array.isArray(tfjs) && tfjs.length === 1 && !Array.isArray(keras)) return sameValue(keras, tfjs[0]);
  if (Array.isArray(keras) && Array.isArray(tfjs)) return keras.length === tfjs.length && keras.every((k, i) => sameValue(k, tfjs[i]));
  if (typeof keras === 'number' && typeof tfjs === 'number') return Math.abs(keras - tfjs) <= 1e-12 * Math.max(1, Math.abs(tfjs));
  return keras === tfjs;
}

// Templates with blocks export a function per block, whose layer names are computed: blockFunctions.test.ts runs those.
const cases = onlyCases([...templateCases().filter((c) => !c.design.blocks), ...handmadeCases(), ...randomCases()]);

describe(`Keras export: compiles and has the TF.js export's layers (${cases.length} designs)`, function () {
  before(usePlainCpuBackend);
  this.timeout(5 * 60_000);
  let dir: string;
  let results: Record<string, { error?: string; sequential: boolean; layers: Record<string, KerasLayerFacts> }>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-keras-'));
    const files: Record<string, string> = {};
    for (const c of cases) {
      files[c.id] = join(dir, `${c.id}.py`);
      writeFileSync(files[c.id], exportDesign(c.design, 'keras').files[0].code);
    }
    writeFileSync(join(dir, 'files.json'), JSON.stringify(files));
    runPython([join(__dirname, 'support', 'kerasStructure.py'), join(dir, 'files.json'), join(dir, 'results.json')]);
    results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`${c.id}: same layers, arguments and wiring as TF.js`, () => {
      const result = results[c.id];
      assert.equal(result.error, undefined, result.error);
      const graph = compileGraph(c.design);
      assert.equal(result.sequential, graph.isChain, 'Sequential exactly for chains');
      const model = loadTfjsExport(exportDesign(c.design, 'tfjs').files[0].code).buildModel();
      try {
        assert.deepEqual(Object.keys(result.layers).sort(), model.layers.map((l) => l.name).sort(), 'layer names');
        for (const layer of model.layers) {
          const keras = result.layers[layer.name];
          assert.equal(keras.className, layer.getClassName(), `class of ${layer.name}`);
          const inbound = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes[0].inboundLayers.map((l) => l.name);
          assert.deepEqual(keras.inputs, inbound, `inputs of ${layer.name}`);
          const config = layer.getConfig() as Record<string, unknown>;
          for (const [key, value] of Object.entries(keras.kwargs)) {
            if (key === 'name') continue;
            if (key === 'shape') assert.ok(sameValue(value, (config.batchInputShape as unknown[]).slice(1)), `input shape of ${layer.name}`);
            else assert.ok(sameValue(value, config[camelCase(key)]), `${layer.name}.${key}: Keras ${JSON.stringify(value)}, TF.js ${JSON.stringify(config[camelCase(key)])}`);
          }
          // What the Keras code leaves out must be Keras' default, and TF.js must have that value.
          const spec = graph.layers.find((l) => l.name === layer.name)!;
          const omitted = Object.keys(spec.defaults ?? {}).filter((key) => !(snakeCase(key) in keras.kwargs));
          if (keras.className.includes('Pooling') && !('strides' in keras.kwargs)) assert.ok(sameValue(config.strides, config.poolSize), `${layer.name}: omitted strides differ from the pool size`);
          for (const key of omitted) {
            const value = config[key];
            assert.ok(isKerasDefault(spec, key, value), `${layer.name}.${key} is left out, but TF.js has ${JSON.stringify(value)}`);
          }
        }
      } finally {
        model.dispose();
      }
    });
  }
});
