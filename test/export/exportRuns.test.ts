/**
 * The exports run for real: every template and the random sweep are exported to PyTorch and TF.js;
 * the TF.js code builds a model in this process, the PyTorch module runs in Python (one process for
 * all designs), and both must agree with the core's shapes and parameter counts and with each other
 * numerically (TF.js weights converted and loaded into the PyTorch module).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { compileGraph } from '../../src/core/export/compileGraph';
import { exportDesign } from '../../src/core/export/exportDesign';
import { channelsFirst, pytorchVariables } from '../../src/core/export/exportPyTorch';
import { className } from '../../src/core/export/identifierNames';
import { encodeSafetensors, toPyTorchStateDict } from '../../src/core/export/pytorchWeights';
import { onlyCases, handmadeCases, randomCases, templateCases, type ExportCase } from './support/exportCases';
import { runPython } from './support/python';
import { loadTfjsExport, namedWeights, randomInput, randomizeWeights, usePlainCpuBackend } from './support/tfjsExport';

interface PyResult {
  error?: string;
  trainable: number;
  buffers: number;
  shapes: Record<string, number[]>;
  modulesNotRun: string[];
  outputShapes?: number[][];
  maxDiff?: number;
  maxAbs?: number;
  sameNonFinite?: boolean;
}

interface TfjsFacts {
  countParams: number;
  layerShapes: Record<string, (number | null)[]>;
  numeric: boolean;
}

// VGG16 is left out of the numeric comparison unless EXPORT_NUMERIC_VGG16=1: 15.5 G multiply-adds
// take about a minute in TF.js' pure-JavaScript CPU backend. Its layers (3×3 convolutions, max
// pooling, Flatten, Dense) are all compared numerically in the other templates and the sweep. The
// U-Net (150 G) always is: its layers are compared in the mini U-Net case and the sweep.
const NO_NUMERIC = new Set(process.env.EXPORT_NUMERIC_VGG16 === '1' ? ['unet'] : ['vgg16', 'unet']);
const TOLERANCE = 1e-4;

const cases: ExportCase[] = onlyCases([...templateCases(), ...handmadeCases(), ...randomCases()]);

describe(`exports run: ${cases.length} designs (templates + EXPORT_SWEEP random) in PyTorch and TF.js`, function () {
  before(usePlainCpuBackend);
  this.timeout(20 * 60_000);
  let dir: string;
  let results: Record<string, PyResult> = {};
  const facts = new Map<string, TfjsFacts>();

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'cnn-export-'));
    const jobs: unknown[] = [];
    cases.forEach((c, index) => {
      const graph = compileGraph(c.design);
      const moduleName = `export_case_${index}`;
      const file = join(dir, `${moduleName}.py`);
      writeFileSync(file, exportDesign(c.design, 'pytorch').files[0].code);
      const model = loadTfjsExport(exportDesign(c.design, 'tfjs').files[0].code).buildModel();
      const layerShapes: Record<string, (number | null)[]> = {};
      for (const node of graph.nodes) layerShapes[node.node.id] = model.getLayer(graph.outputLayer.get(node.node.id)!).outputShape as (number | null)[];
      const numeric = !NO_NUMERIC.has(c.id);
      facts.set(c.id, { countParams: model.countParams(), layerShapes, numeric });
      const job: Record<string, unknown> = { id: c.id, moduleName, file, className: className(c.design.name) };
      if (numeric) {
        randomizeWeights(model, index + 1);
        // Every input and output, in the model's order (the design's), which the PyTorch module's forward shares.
        const batch = c.design.nodes.length > 40 ? 1 : 2;
        const inputs = graph.inputIds.map((id, k) => {
          const shape = [batch, ...graph.nodes.find((n) => n.node.id === id)!.outputShape];
          return tf.tensor(randomInput(shape, index * 7 + k + 7), shape);
        });
        const predicted = model.predict(inputs.length === 1 ? inputs[0] : inputs);
        const outputs = Array.isArray(predicted) ? predicted : [predicted];
        inputs.forEach((input, k) => writeFileSync(join(dir, `${moduleName}.in${k}`), input.dataSync() as Float32Array));
        outputs.forEach((output, k) => writeFileSync(join(dir, `${moduleName}.out${k}`), output.dataSync() as Float32Array));
        writeFileSync(join(dir, `${moduleName}.safetensors`), encodeSafetensors(toPyTorchStateDict(c.design, namedWeights(model))));
        Object.assign(job, {
          weights: join(dir, `${moduleName}.safetensors`),
          inputs: inputs.map((input, k) => ({ file: join(dir, `${moduleName}.in${k}`), shape: input.shape })),
          expected: outputs.map((output, k) => ({ file: join(dir, `${moduleName}.out${k}`), shape: output.shape })),
        });
        tf.dispose([...inputs, ...outputs]);
      }
      model.dispose();
      jobs.push(job);
    });
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
    runPython([join(__dirname, 'support', 'checkPyTorchModules.py'), join(dir, 'jobs.json'), join(dir, 'results.json')]);
    results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`${c.id}: PyTorch and TF.js match the core's shapes, parameters and each other`, () => {
      const analysis = analyzeDesign(c.design);
      const graph = compileGraph(c.design);
      const result = results[c.id];
      assert.ok(result, 'no result from Python');
      assert.equal(result.error, undefined, result.error);

      // PyTorch: parameters, every node's shape (channels-first, batch first), every module used.
      assert.equal(result.trainable, analysis.totals.trainableParams, 'PyTorch trainable parameters');
      assert.equal(result.buffers, analysis.totals.nonTrainableParams, 'PyTorch batch-norm statistics');
      assert.deepEqual(result.modulesNotRun, [], 'sub-modules that forward never called');
      const vars = pytorchVariables(graph);
      const numeric = facts.get(c.id)!.numeric;
      // Layers inside block instances run in their block class's forward, not the model's; their
      // shapes are checked in TF.js below, and the PyTorch outputs against TF.js's.
      const insideBlocks = analysis.expansion?.origins;
      for (const node of graph.nodes.filter((n) => !insideBlocks?.has(n.node.id))) {
        const got = result.shapes[vars.get(node.node.id)!];
        assert.ok(got, `forward has no variable for ${node.node.id}`);
        assert.deepEqual(got.slice(1), channelsFirst(node.outputShape), `PyTorch shape of ${node.node.id}`);
      }

      // TF.js: parameter count and every node's output shape.
      const tfjs = facts.get(c.id)!;
      assert.equal(tfjs.countParams, analysis.totals.params, 'TF.js countParams()');
      for (const node of graph.nodes) assert.deepEqual(tfjs.layerShapes[node.node.id], [null, ...node.outputShape], `TF.js shape of ${node.node.id}`);

      // The same weights give the same outputs.
      if (numeric) {
        assert.equal(result.outputShapes?.length, graph.outputIds.length, 'one PyTorch output per design output');
        assert.equal(result.sameNonFinite, true, 'infinite or NaN outputs in different places (or an output of another shape)');
        const bound = TOLERANCE * Math.max(1, result.maxAbs!);
        assert.ok(result.maxDiff! <= bound, `outputs differ by ${result.maxDiff} (largest output ${result.maxAbs}, allowed ${bound})`);
      }
    });
  }
});
