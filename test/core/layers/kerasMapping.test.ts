// Every layer type owns its Keras / TF.js mapping both ways: design parameters → Keras layers →
// design parameters give back what was designed, and no table of Keras class names lives elsewhere.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { analyzeDesign } from '../../../src/core/analysis/analyzeDesign';
import { emptyDesign, type Design } from '../../../src/core/design';
import { compileGraph } from '../../../src/core/export/compileGraph';
import { snakeCase } from '../../../src/core/export/exportKeras';
import { importModelJson } from '../../../src/core/import/importModelJson';
import { LAYER_CATALOG, LAYER_TYPE_NAMES } from '../../../src/core/layers/layerCatalog';
import type { LayerType, ParamSpec } from '../../../src/core/layers/layerType';

const ROOT = join(__dirname, '..', '..', '..');

/** A value of one parameter as a user could write it (sometimes left out when optional). */
function paramValue(spec: ParamSpec): fc.Arbitrary<unknown> {
  const window = (dims: number, min: number) => fc.oneof(fc.integer({ min, max: min + 2 }), fc.array(fc.integer({ min, max: min + 2 }), { minLength: dims, maxLength: dims }));
  switch (spec.kind) {
    case 'int':
      return fc.integer({ min: spec.min ?? 0, max: Math.min(spec.max ?? 1000, (spec.min ?? 0) + 6) });
    case 'number':
      return fc.double({ min: spec.min ?? -10, max: spec.max ?? 10, noNaN: true, maxExcluded: !!spec.exclusiveMax });
    case 'bool':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...spec.options);
    case 'window':
      return window(spec.dims, spec.min);
    case 'padding':
      return fc.oneof(fc.constantFrom('valid', 'same'), window(spec.dims, 0));
    case 'shape':
      return fc.constantFrom([9, 9, 3], [9, 3], [12]);
    case 'sides':
      return fc.oneof(fc.integer({ min: 0, max: 2 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2 * spec.dims, maxLength: 2 * spec.dims }));
  }
}

function paramsArbitrary(layer: LayerType<any>): fc.Arbitrary<Record<string, unknown>> {
  const entries = layer.params.map((spec) => (spec.required ? paramValue(spec).map((v) => [spec.name, v] as const) : fc.option(paramValue(spec), { nil: undefined }).map((v) => [spec.name, v] as const)));
  return fc.tuple(...entries).map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== undefined)));
}

/** The node `layer` with `params`, fed by as many inputs of `shape` as it needs. */
function designWith(layer: LayerType<any>, params: Record<string, unknown>, shape: number[]): Design {
  const design = emptyDesign('roundtrip');
  if (layer.inputs.max === 0) {
    design.nodes.push({ id: 'node', type: layer.type, params });
    design.nodes.push({ id: 'after', type: 'Flatten', params: {} });
    design.edges.push({ source: 'node', target: 'after' });
    return design;
  }
  for (let i = 0; i < Math.max(1, layer.inputs.min); i++) {
    design.nodes.push({ id: `input${i}`, type: 'Input', params: { shape } });
    design.edges.push({ source: `input${i}`, target: 'node' });
  }
  design.nodes.push({ id: 'node', type: layer.type, params });
  return design;
}

/** The layers of a compiled design as a TF.js model.json topology (camelCase or Keras' snake_case config keys). */
function modelJson(design: Design, snake: boolean): string {
  const graph = compileGraph(design);
  const keys = (config: Record<string, unknown>) => Object.fromEntries(Object.entries(config).map(([k, v]) => [snake ? snakeCase(k) : k, v]));
  const layers = graph.layers.map((l) => ({
    class_name: l.className,
    name: l.name,
    config: { ...keys(l.config), name: l.name },
    inbound_nodes: l.inbound.length ? [l.inbound.map((source) => [source, 0, 0, {}])] : [],
  }));
  return JSON.stringify({ modelTopology: { class_name: 'Model', config: { name: design.name, layers } } });
}

/** The design as exported to a model.json and imported back. */
function roundTrip(design: Design, snake: boolean): Design {
  const imported = importModelJson(modelJson(design, snake));
  assert.deepEqual(imported.problems, [], `import of ${JSON.stringify(design.nodes)}`);
  return imported.design!;
}

/** Spellings Keras has one way to write: explicit zero padding is "valid", pooling strides equal to the window are the default, a padding mode without padding is none. */
function normalizes(params: Record<string, unknown>): boolean {
  const zeros = (v: unknown) => v === 0 || (Array.isArray(v) && v.every((x) => x === 0));
  const axes = (v: unknown, n: number): unknown[] => (Array.isArray(v) ? v : new Array(n).fill(v));
  const n = Math.max([params.strides].flat().length, [params.poolSize].flat().length);
  const defaultStrides = 'strides' in params && 'poolSize' in params && JSON.stringify(axes(params.strides, n)) === JSON.stringify(axes(params.poolSize, n));
  // A padding mode without padding changes nothing, and Keras has no word for it.
  const idleMode = params.paddingMode !== undefined && params.paddingMode !== 'zeros';
  // Explicit zeros that are exactly Keras' 'same' (stride 1, d·(k − 1)/2 a side) are written as 'same'.
  // Any of them may be one number for every axis.
  const dims = Math.max(...[params.kernelSize, params.padding, params.strides, params.dilationRate].map((v) => (Array.isArray(v) ? v.length : 1)));
  const explicit = typeof params.padding === 'number' || Array.isArray(params.padding);
  const sameAsExplicit =
    'kernelSize' in params &&
    explicit &&
    axes(params.strides ?? 1, dims).every((s) => s === 1) &&
    axes(params.padding, dims).every((pad, i) => 2 * (pad as number) === (axes(params.dilationRate ?? 1, dims)[i] as number) * ((axes(params.kernelSize, dims)[i] as number) - 1));
  return zeros(params.padding) || defaultStrides || idleMode || sameAsExplicit;
}

describe('each layer type\'s Keras mapping', () => {
  for (const layer of LAYER_CATALOG) {
    it(`${layer.type}: design parameters → Keras layers → design parameters give back the same layer`, () => {
      let checked = 0;
      fc.assert(
        fc.property(paramsArbitrary(layer), fc.boolean(), (params, snake) => {
          const design = [[9, 9, 3], [9, 3], [12]].map((shape) => designWith(layer, params, shape)).find((d) => analyzeDesign(d).valid);
          if (!design) return;
          // Parameters Keras cannot express (the Keras export refuses them) have no round trip to check.
          if (layer.keras.limitation?.(analyzeDesign(design).nodes.node.resolvedParams!)) return;
          checked++;
          // One trip may only normalize the spelling (explicit zeros → "valid", strides equal to the
          // pool size → left out): the layer computes the same, writes the same Keras layers, and a
          // second trip changes nothing.
          const once = roundTrip(design, snake);
          const twice = roundTrip(once, !snake);
          const [original, first, second] = [design, once, twice].map((d) => analyzeDesign(d));
          assert.ok(first.valid && second.valid, JSON.stringify(first.diagnostics));
          const kerasOf = (d: Design) => compileGraph(d).layers.map((l) => ({ className: l.className, config: l.config, inbound: l.inbound }));
          assert.deepEqual(kerasOf(once), kerasOf(design), `Keras layers of ${layer.type} ${JSON.stringify(params)} after import`);
          for (const id of original.order) {
            assert.ok(first.nodes[id] && second.nodes[id], `${id} is missing after the round trip of ${JSON.stringify(params)}`);
            assert.equal(first.nodes[id].type, original.nodes[id].type);
            assert.deepEqual(first.nodes[id].outputShape, original.nodes[id].outputShape);
            assert.equal(first.nodes[id].params, original.nodes[id].params);
            assert.deepEqual(second.nodes[id].resolvedParams, first.nodes[id].resolvedParams, `${id} (${layer.type}) ${JSON.stringify(params)}`);
          }
          if (!normalizes(params)) assert.deepEqual(first.nodes.node.resolvedParams, original.nodes.node.resolvedParams, `${layer.type} ${JSON.stringify(params)}`);
        }),
        // Enough runs that types whose random parameters are mostly invalid (Activation: alpha only goes with
        // leaky ReLU and ELU) still give the 30 valid layers asserted below.
        { numRuns: 400 },
      );
      assert.ok(checked >= 30, `only ${checked} generated ${layer.type} layers were valid`);
    });
  }

  it('reads back every class it writes as the main layer, and no two types claim a class', () => {
    const owner = new Map<string, string>();
    for (const layer of LAYER_CATALOG) {
      assert.ok(layer.keras.classNames.length > 0, `${layer.type} names no Keras class`);
      for (const className of layer.keras.classNames) {
        assert.equal(owner.get(className), undefined, `${className} is claimed by ${owner.get(className)} and ${layer.type}`);
        owner.set(className, layer.type);
      }
    }
  });

  it('is the only place naming Keras classes: no other file of the product holds a table of them', () => {
    // Every class a layer type writes or reads, except those spelled like a layer type (Conv2D, Dense…).
    const classes = new Set<string>();
    for (const layer of LAYER_CATALOG) {
      for (const c of [...layer.keras.classNames, ...(layer.keras.paddingClassNames ?? [])]) classes.add(c);
    }
    for (const [type, params, shape] of [
      ['Conv2D', { filters: 2, kernelSize: 3, padding: 1, activation: 'leakyRelu' }, [9, 9, 3]],
      ['Conv1D', { filters: 2, kernelSize: 3, padding: 1, activation: 'logSoftmax' }, [9, 3]],
      ['MaxPool2D', { poolSize: 3, padding: 1 }, [9, 9, 3]],
      ['MaxPool1D', { poolSize: 3, padding: 1 }, [9, 3]],
      ['AvgPool2D', { poolSize: 3, padding: 1 }, [9, 9, 3]],
    ] as const) {
      const layer = LAYER_CATALOG.find((l) => l.type === type)!;
      const analysis = analyzeDesign(designWith(layer, { ...params }, [...shape]));
      for (const spec of layer.keras.toLayers(analysis.nodes.node.resolvedParams!, analysis.nodes.node.inputShapes)) classes.add(spec.className);
    }
    for (const type of LAYER_TYPE_NAMES) classes.delete(type);
    assert.ok(classes.has('BatchNormalization') && classes.has('CnnMaxPadding2D') && classes.has('LeakyReLU'), [...classes].join(' '));

    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.tsx?$/.test(name)) files.push(path);
      }
    };
    walk(join(ROOT, 'src'));
    walk(join(ROOT, 'webview'));
    const layersDir = join(ROOT, 'src', 'core', 'layers');
    const offenders: string[] = [];
    for (const file of files) {
      if (file.startsWith(layersDir)) continue;
      const text = readFileSync(file, 'utf8');
      for (const c of classes) if (text.includes(`'${c}'`) || text.includes(`"${c}"`)) offenders.push(`${relative(ROOT, file)}: ${c}`);
    }
    assert.deepEqual(offenders, [], 'Keras class names outside the layer catalog');
  });
});
