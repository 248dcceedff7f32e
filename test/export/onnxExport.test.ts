/**
 * The ONNX export runs for real: every template, the hand-made multi-input/multi-output design and
 * a random sweep are exported with the TF.js model's (randomized) weights, run in onnxruntime-node
 * and compared with TF.js' outputs; Debian's onnx checker validates every file.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { compileGraph } from '../../src/core/export/compileGraph';
import { exportDesign } from '../../src/core/export/exportDesign';
import { channelsFirst } from '../../src/core/export/exportPyTorch';
import { exportOnnx, ONNX_OPSET } from '../../src/core/export/exportOnnx';
import { toPyTorchStateDict } from '../../src/core/export/pytorchWeights';
import { decodeOnnxModel } from '../../src/core/onnx/onnxModel';
import { onlyCases, handmadeCases, randomCases, templateCases, type ExportCase } from './support/exportCases';
import { PYTHON } from './support/python';
import { loadTfjsExport, namedWeights, randomInput, randomizeWeights, usePlainCpuBackend } from './support/tfjsExport';

const TOLERANCE = 1e-4;
/**
 * VGG16 (15.5 G multiply-adds), AlexNet and the U-Net (150 G) take a minute or more in TF.js' CPU backend: they are
 * exported and run in onnxruntime (shapes, checker) without the TF.js comparison; their layer types
 * are compared numerically in the other templates and the sweep.
 */
const SLOW_IN_TFJS = new Set(['vgg16', 'alexnet', 'unet']);
const ONNX_SWEEP = Number(process.env.ONNX_SWEEP ?? 60);

const cases: ExportCase[] = onlyCases([...templateCases().filter((c) => !SLOW_IN_TFJS.has(c.id)), ...handmadeCases(), ...randomCases(ONNX_SWEEP)]);

/** NCHW copy of an NHWC (or NLC) batch. */
function toChannelsFirst(data: Float32Array, shape: number[]): Float32Array {
  if (shape.length <= 2) return data;
  const [n, ...rest] = shape;
  const c = rest[rest.length - 1];
  const spatial = rest.slice(0, -1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) for (let s = 0; s < spatial; s++) for (let k = 0; k < c; k++) out[(b * c + k) * spatial + s] = data[(b * spatial + s) * c + k];
  return out;
}

describe(`ONNX export (opset ${ONNX_OPSET}): ${cases.length} designs run in onnxruntime and match TF.js`, function () {
  this.timeout(20 * 60_000);
  before(usePlainCpuBackend);
  let dir = '';
  const files: string[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-onnx-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  cases.forEach((c, index) => {
    it(`${c.id}: same outputs as TF.js with the same weights`, async () => {
      const graph = compileGraph(c.design);
      const model = loadTfjsExport(exportDesign(c.design, 'tfjs').files[0].code).buildModel();
      try {
        randomizeWeights(model, index + 11);
        const bytes = exportOnnx(graph, { weights: toPyTorchStateDict(c.design, namedWeights(model)) });
        const file = join(dir, `case_${index}.onnx`);
        writeFileSync(file, bytes);
        files.push(file);

        const decoded = decodeOnnxModel(bytes);
        assert.deepEqual(decoded.graph.inputs.map((i) => i.shape![0]), graph.inputIds.map(() => 'N'), 'dynamic batch axis on every input');
        const session = await ort.InferenceSession.create(bytes);
        const batch = c.design.nodes.length > 40 ? 1 : 2;
        const feeds: Record<string, ort.Tensor> = {};
        const tfInputs = graph.inputIds.map((id, k) => {
          const shape = [batch, ...graph.nodes.find((n) => n.node.id === id)!.outputShape];
          const data = randomInput(shape, index * 7 + k + 3);
          feeds[session.inputNames[k]] = new ort.Tensor('float32', toChannelsFirst(data, shape), [batch, ...channelsFirst(shape.slice(1))]);
          return tf.tensor(data, shape);
        });
        const predicted = model.predict(tfInputs.length === 1 ? tfInputs[0] : tfInputs);
        const expected = (Array.isArray(predicted) ? predicted : [predicted]).map((t) => ({ shape: t.shape as number[], data: t.dataSync() as Float32Array }));
        tf.dispose([...tfInputs, ...(Array.isArray(predicted) ? predicted : [predicted])]);
        const got = await session.run(feeds);
        assert.equal(session.outputNames.length, graph.outputIds.length);
        session.outputNames.forEach((name, k) => {
          const want = expected[k];
          const actual = got[name];
          assert.deepEqual(Array.from(actual.dims), [want.shape[0], ...channelsFirst(want.shape.slice(1))], `shape of output ${name}`);
          const wantFirst = toChannelsFirst(want.data, want.shape);
          const data = actual.data as Float32Array;
          let maxDiff = 0;
          let maxAbs = 0;
          for (let i = 0; i < data.length; i++) {
            if (!Number.isFinite(wantFirst[i]) || !Number.isFinite(data[i])) {
              assert.equal(String(data[i]), String(wantFirst[i]), `non-finite value at ${i} of ${name}`);
              continue;
            }
            maxDiff = Math.max(maxDiff, Math.abs(data[i] - wantFirst[i]));
            maxAbs = Math.max(maxAbs, Math.abs(wantFirst[i]));
          }
          const bound = TOLERANCE * Math.max(1, maxAbs);
          assert.ok(maxDiff <= bound, `${name}: outputs differ by ${maxDiff} (largest ${maxAbs}, allowed ${bound})`);
        });
        await session.release();
      } finally {
        model.dispose();
      }
    });
  });

  for (const c of templateCases().filter((t) => SLOW_IN_TFJS.has(t.id))) {
    it(`${c.id}: runs in onnxruntime with the core's output shapes (no TF.js comparison: too slow there)`, async () => {
      const graph = compileGraph(c.design);
      const bytes = exportOnnx(graph);
      const file = join(dir, `${c.id}.onnx`);
      writeFileSync(file, bytes);
      files.push(file);
      const session = await ort.InferenceSession.create(bytes);
      const shape = graph.nodes.find((n) => n.node.id === graph.inputIds[0])!.outputShape;
      const input = new ort.Tensor('float32', randomInput([1, ...shape], 5), [1, ...channelsFirst(shape)]);
      const got = await session.run({ [session.inputNames[0]]: input });
      const output = got[session.outputNames[0]];
      assert.deepEqual(Array.from(output.dims), [1, ...channelsFirst(graph.analysis.nodes[graph.outputIds[0]].outputShape!)]);
      assert.ok(Array.from(output.data as Float32Array).every(Number.isFinite));
      await session.release();
    });
  }

  const hasOnnx = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;
  (hasOnnx ? it : it.skip)('every exported file passes the onnx checker with full shape inference', function () {
    // Skipped only where Debian's python3-onnx is missing (npm test installs it when run as root).
    assert.ok(files.length > 0, 'the cases above wrote no files');
    const script = 'import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint(len(sys.argv) - 1)';
    const result = spawnSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(Number(result.stdout.trim()), files.length);
  });

  it('an export without weights is reproducible and initializes like PyTorch', () => {
    const design = templateCases().find((c) => c.id === 'mnist-cnn')!.design;
    const graph = compileGraph(design);
    const a = exportOnnx(graph);
    assert.deepEqual(exportOnnx(graph), a);
    const model = decodeOnnxModel(a);
    const analysis = graph.analysis;
    const parameterCount = model.graph.initializers.filter((t) => t.name.includes('.')).reduce((sum, t) => sum + t.dims.reduce((x, y) => x * y, 1), 0);
    assert.equal(parameterCount, analysis.totals.params);
  });

  it('refuses weights of another design, naming the tensor', () => {
    const design = templateCases().find((c) => c.id === 'mnist-cnn')!.design;
    const other = templateCases().find((c) => c.id === 'lenet5')!.design;
    const model = loadTfjsExport(exportDesign(other, 'tfjs').files[0].code).buildModel();
    const weights = toPyTorchStateDict(other, namedWeights(model));
    model.dispose();
    assert.throws(() => exportOnnx(compileGraph(design), { weights }), /The weights have no|has shape|belong to another design/);
  });
});
