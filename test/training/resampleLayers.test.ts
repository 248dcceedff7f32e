// Upsample2D and adaptive pooling compute PyTorch's numbers: the TF.js layers that train, the
// exported TF.js source and the ONNX export (in onnxruntime) are compared with F.interpolate and
// adaptive_avg/max_pool2d on odd sizes, and the training layers' gradients with finite differences.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { emptyDesign, type Design, type Shape } from '../../src/core/design';
import { compileGraph } from '../../src/core/export/compileGraph';
import { exportDesign } from '../../src/core/export/exportDesign';
import { exportOnnx } from '../../src/core/export/exportOnnx';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { importOnnx } from '../../src/core/import/importOnnx';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { CNN_ADAPTIVE_AVG_POOL_2D, CNN_ADAPTIVE_MAX_POOL_2D, CNN_RESIZE_2D } from '../../src/core/layers/kerasResample';
import { loadTfjsExport } from '../export/support/tfjsExport';
import { PYTHON } from '../export/support/python';
import { seededRandom } from '../support/randomDesign';
import { assertCentralDifferences } from './support/assertCentralDifferences';

interface ResampleCase {
  name: string;
  /** Input [H, W, C]; a 2nd input's shape when the size comes from it. */
  input: Shape;
  ref?: Shape;
  type: 'Upsample2D' | 'AdaptiveAvgPool2D' | 'AdaptiveMaxPool2D';
  params: Record<string, unknown>;
}

const upsample = (name: string, input: Shape, params: Record<string, unknown>, ref?: Shape): ResampleCase => ({ name, input, ref, type: 'Upsample2D', params });
const CASES: ResampleCase[] = [
  ...(['nearest', 'bilinear'] as const).flatMap((mode) =>
    (mode === 'nearest' ? [false] : [false, true]).flatMap((alignCorners) => {
      const p = { mode, ...(alignCorners ? { alignCorners } : {}) };
      const tag = `${mode}${alignCorners ? ', alignCorners' : ''}`;
      return [
        upsample(`${tag}: scale 2 of 19×27`, [19, 27, 2], { scale: 2, ...p }),
        upsample(`${tag}: scale 1.5 of 19×27 (source dst / 1.5)`, [19, 27, 2], { scale: 1.5, ...p }),
        upsample(`${tag}: size (37, 53) from 19×27`, [19, 27, 2], { size: [37, 53], ...p }),
        upsample(`${tag}: size (37, 53) from 61×80 (down)`, [61, 80, 2], { size: [37, 53], ...p }),
        upsample(`${tag}: to the 2nd input's 37×53`, [10, 14, 3], p, [37, 53, 1]),
        upsample(`${tag}: size 1×5 from 6×4`, [6, 4, 2], { size: [1, 5], ...p }),
      ];
    }),
  ),
  ...(['AdaptiveAvgPool2D', 'AdaptiveMaxPool2D'] as const).flatMap((type) =>
    [
      { input: [13, 11, 3], outputSize: [5, 7] },
      { input: [6, 6, 2], outputSize: 7 },
      { input: [14, 21, 2], outputSize: 7 },
      { input: [37, 53, 2], outputSize: [4, 1] },
    ].map((c) => ({ name: `${type} ${JSON.stringify(c.outputSize)} of ${c.input.slice(0, 2).join('×')}`, input: c.input, type, params: { outputSize: c.outputSize } })),
  ),
];

function designOf(c: ResampleCase): Design {
  const d = emptyDesign('resample');
  d.nodes = [{ id: 'x', type: 'Input', params: { shape: c.input } }, ...(c.ref ? [{ id: 'ref', type: 'Input', params: { shape: c.ref } }] : []), { id: 'out', type: c.type, params: c.params }];
  d.edges = [{ source: 'x', target: 'out' }, ...(c.ref ? [{ source: 'ref', target: 'out' }] : [])];
  return d;
}

const BATCH = 2;
/** Source positions are float32 arithmetic in PyTorch, float64 in the matrices here: values up to 2 differ in the 6th digit. */
const TOLERANCE = 5e-5;
const inputData = (c: ResampleCase, seed: number): Float32Array => {
  const rnd = seededRandom(seed);
  return Float32Array.from({ length: BATCH * c.input.reduce((a, b) => a * b, 1) }, () => rnd() * 4 - 2);
};

/** NCHW copy of an NHWC batch. */
function channelsFirst(data: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = data[((b * h + y) * w + x) * c + k];
  return out;
}

/** PyTorch's outputs for every case (NHWC, flat), from F.interpolate and adaptive pooling themselves. */
function pytorchOutputs(dir: string): number[][] {
  const job = join(dir, 'job.json');
  writeFileSync(job, JSON.stringify(CASES.map((c, i) => ({ ...c, data: Array.from(inputData(c, i + 1)) }))));
  const script = `
import json, sys, torch, torch.nn.functional as F
out = []
for c in json.load(open(sys.argv[1])):
    h, w, ch = c["input"]
    x = torch.tensor(c["data"], dtype=torch.float32).reshape(${BATCH}, h, w, ch).permute(0, 3, 1, 2)
    p = c["params"]
    if c["type"] == "Upsample2D":
        mode = p.get("mode", "nearest")
        kw = {"mode": mode}
        if mode == "bilinear":
            kw["align_corners"] = bool(p.get("alignCorners", False))
        if c.get("ref"):
            kw["size"] = tuple(c["ref"][:2])
        elif "size" in p:
            kw["size"] = tuple(p["size"])
        else:
            kw["scale_factor"] = p["scale"]
        y = F.interpolate(x, **kw)
    else:
        size = p["outputSize"]
        size = tuple(size) if isinstance(size, list) else size
        y = (F.adaptive_avg_pool2d if c["type"] == "AdaptiveAvgPool2D" else F.adaptive_max_pool2d)(x, size)
    out.append(y.permute(0, 2, 3, 1).reshape(-1).tolist())
json.dump(out, open(sys.argv[1] + ".out", "w"))
`;
  const r = spawnSync(PYTHON, ['-c', script, job], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr}`);
  return JSON.parse(readFileSync(`${job}.out`, 'utf8')) as number[][];
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length, 'same number of values');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

describe('Upsample2D and adaptive pooling compute PyTorch\'s values', function () {
  this.timeout(600_000);
  let dir = '';
  let expected: number[][] = [];
  before(async function () {
    await tf.setBackend('cpu');
    if (!hasTorch) {
      console.warn(`    skipped: ${PYTHON} cannot import torch, which gives the reference values`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'cnn-resample-'));
    expected = pytorchOutputs(dir);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const feeds = (c: ResampleCase, i: number): tf.Tensor[] => [
    tf.tensor(inputData(c, i + 1), [BATCH, ...c.input]),
    ...(c.ref ? [tf.zeros([BATCH, ...c.ref])] : []),
  ];

  CASES.forEach((c, i) => {
    it(`${c.name}: the TF.js layer that trains, the exported TF.js code and the ONNX export give PyTorch's values`, async () => {
      const design = designOf(c);
      const inputs = feeds(c, i);
      const trained = compileDesign(design).predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor;
      assert.ok(maxDiff(trained.dataSync(), expected[i]) < TOLERANCE, `TF.js training layer differs by ${maxDiff(trained.dataSync(), expected[i])}`);
      const exported = loadTfjsExport(exportDesign(design, 'tfjs').files[0].code).buildModel().predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor;
      assert.ok(maxDiff(exported.dataSync(), expected[i]) < TOLERANCE, `exported TF.js differs by ${maxDiff(exported.dataSync(), expected[i])}`);

      const bytes = exportOnnx(compileGraph(design));
      const session = await ort.InferenceSession.create(bytes);
      const ortFeeds: Record<string, ort.Tensor> = {};
      inputs.forEach((t, k) => {
        const shape = t.shape as number[];
        ortFeeds[session.inputNames[k]] = new ort.Tensor('float32', channelsFirst(t.dataSync() as Float32Array, shape), [shape[0], shape[3], shape[1], shape[2]]);
      });
      const result = (await session.run(ortFeeds))[session.outputNames[0]];
      const [n, ch, h, w] = result.dims as number[];
      assert.deepEqual([n, h, w, ch], trained.shape, 'ONNX output shape');
      const nhwc = new Float32Array(result.data.length);
      const data = result.data as Float32Array;
      for (let b = 0; b < n; b++) for (let k = 0; k < ch; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) nhwc[((b * h + y) * w + x) * ch + k] = data[((b * ch + k) * h + y) * w + x];
      assert.ok(maxDiff(nhwc, expected[i]) < TOLERANCE, `ONNX differs by ${maxDiff(nhwc, expected[i])}`);

      // Read back from ONNX: Resize is Upsample2D again (adaptive pooling comes back only where it is a plain pooling).
      if (c.type === 'Upsample2D') {
        const imported = importOnnx(bytes);
        assert.deepEqual(imported.problems, [], 'the Resize imports');
        const node = imported.design!.nodes.find((x) => x.type === 'Upsample2D');
        assert.ok(node, JSON.stringify(imported.design!.nodes));
        const { mode = 'nearest', alignCorners = false } = node.params as { mode?: string; alignCorners?: boolean };
        assert.deepEqual([mode, alignCorners], [c.params.mode ?? 'nearest', c.params.alignCorners ?? false]);
        if (c.params.scale !== undefined) assert.equal(node.params.scale, c.params.scale);
      }
      tf.dispose([...inputs, trained, exported]);
    });
  });
});

describe('Upsample2D and adaptive pooling train: gradients through them equal finite differences', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('conv → bilinear to the 2nd input → nearest ×2 → adaptive average → adaptive max: every weight\'s gradient (first and last entry)', () => {
    const d = emptyDesign('resample_grad');
    d.nodes = [
      { id: 'x', type: 'Input', params: { shape: [7, 6, 2] } },
      { id: 'conv', type: 'Conv2D', params: { filters: 3, kernelSize: 3, activation: 'tanh' } },
      { id: 'bilinear', type: 'Upsample2D', params: { mode: 'bilinear' } },
      { id: 'nearest', type: 'Upsample2D', params: { scale: 1.5 } },
      { id: 'avg', type: 'AdaptiveAvgPool2D', params: { outputSize: [5, 4] } },
      { id: 'conv2', type: 'Conv2D', params: { filters: 2, kernelSize: 1, activation: 'tanh' } },
      { id: 'max', type: 'AdaptiveMaxPool2D', params: { outputSize: [2, 3] } },
    ];
    const chain = ['x', 'conv', 'bilinear', 'nearest', 'avg', 'conv2', 'max'];
    d.edges = [...chain.slice(1).map((target, i) => ({ source: chain[i], target })), { source: 'x', target: 'bilinear' }];
    const model = compileDesign(d);
    const rnd = seededRandom(3);
    const x = tf.tensor4d(Array.from({ length: 2 * 7 * 6 * 2 }, () => rnd() * 2 - 1), [2, 7, 6, 2]);
    const loss = (): tf.Scalar => tf.tidy(() => tf.sum(tf.square(model.apply(x) as tf.Tensor)));
    const { grads } = tf.variableGrads(loss);
    const checked = assertCentralDifferences(model, loss, grads, { step: 1e-3, entries: 'first and last' });
    assert.ok(checked >= 8, `checked ${checked}`);
    assert.ok(Object.values(grads).some((t) => t.dataSync().some((v) => v !== 0)), 'gradients are not all zero');
    Object.values(grads).forEach((t) => t.dispose());
    x.dispose();
  });
});

describe('ONNX import of Resize as torch.onnx.export writes it', function () {
  this.timeout(300_000);
  let dir = '';
  before(function () {
    if (!hasTorch) {
      console.warn(`    skipped: ${PYTHON} cannot import torch, which writes the ONNX files`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'cnn-resize-onnx-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // A segmentation head's pattern (conv with stride, then back to the image's size), a fixed size and
  // nn.Upsample by a scale; with the batch axis dynamic (sizes computed from Shape) and fixed (folded).
  // Input 13×17, conv 3×3 stride 2: 6×8.
  const MODULES: Record<string, { forward: string; expect: Record<string, unknown>; shape: Shape }> = {
    to_input_size: { forward: "F.interpolate(self.conv(x), size=x.shape[-2:], mode='bilinear', align_corners=False)", expect: { mode: 'bilinear', size: [13, 17] }, shape: [13, 17, 4] },
    fixed_size: { forward: "F.interpolate(self.conv(x), size=(9, 11), mode='bilinear', align_corners=True)", expect: { mode: 'bilinear', alignCorners: true, size: [9, 11] }, shape: [9, 11, 4] },
    scale_nearest: { forward: 'nn.Upsample(scale_factor=2)(self.conv(x))', expect: { scale: 2 }, shape: [12, 16, 4] },
  };
  const fileOf = (name: string, dynamic: boolean): string => join(dir, `${name}_${dynamic ? 'dynamic' : 'fixed'}.onnx`);
  before(function () {
    if (!dir) return;
    // One Python process writes every file (importing torch dominates).
    const script = [
      'import sys, torch, torch.nn as nn, torch.nn.functional as F',
      ...Object.entries(MODULES).flatMap(([name, m]) => [
        `class ${name}(nn.Module):`,
        '    def __init__(self):',
        '        super().__init__()',
        '        self.conv = nn.Conv2d(3, 4, 3, stride=2)',
        '    def forward(self, x):',
        `        return ${m.forward}`,
        ...[true, false].map(
          (dynamic) =>
            `torch.onnx.export(${name}().eval(), torch.rand(1, 3, 13, 17), ${JSON.stringify(fileOf(name, dynamic))}, opset_version=17, input_names=["input"], output_names=["out"]${dynamic ? ', dynamic_axes={"input": {0: "N"}, "out": {0: "N"}}' : ''})`,
        ),
      ]),
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
    assert.equal(r.status, 0, r.stderr);
  });
  for (const dynamic of [true, false]) {
    for (const [name, m] of Object.entries(MODULES)) {
      it(`${name}${dynamic ? ', dynamic batch' : ''}: Resize comes back as Upsample2D with PyTorch's output shape`, () => {
        const imported = importOnnx(readFileSync(fileOf(name, dynamic)));
        assert.deepEqual(imported.problems, []);
        const node = imported.design!.nodes.find((n) => n.type === 'Upsample2D');
        assert.ok(node, JSON.stringify(imported.design!.nodes.map((n) => n.type)));
        const normalized = { ...node.params, ...(Array.isArray(node.params.size) ? {} : node.params.size !== undefined ? { size: [node.params.size, node.params.size] } : {}) };
        assert.deepEqual(normalized, m.expect);
        const a = analyzeDesign(imported.design!);
        assert.ok(a.valid, JSON.stringify(a.diagnostics));
        assert.deepEqual(a.nodes[node.id].outputShape, m.shape);
      });
    }
  }
});

describe('the Keras (Python) classes the exports write compute PyTorch\'s values', function () {
  this.timeout(300_000);
  before(function () {
    if (!hasTorch) {
      console.warn(`    skipped: ${PYTHON} cannot import torch, which gives the reference values`);
      this.skip();
    }
  });

  it('CnnResize2D, CnnAdaptiveAvgPool2D and CnnAdaptiveMaxPool2D, run with NumPy standing in for the TensorFlow ops they call', () => {
    // TensorFlow for Python cannot be installed here: the classes run on NumPy arrays through the
    // few tf functions they use, which NumPy has with the same meaning.
    const script = `
import numpy as np, torch, torch.nn.functional as F
class _Layer:
    def __init__(self, **kwargs):
        pass
    def get_config(self):
        return {}
class layers:
    Layer = _Layer
class tf:
    constant = staticmethod(np.asarray)
    einsum = staticmethod(np.einsum)
    reduce_max = staticmethod(lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims))
    concat = staticmethod(lambda parts, axis: np.concatenate(parts, axis=axis))
${[CNN_RESIZE_2D, CNN_ADAPTIVE_AVG_POOL_2D, CNN_ADAPTIVE_MAX_POOL_2D].map((c) => c.python).join('\n\n')}
torch.manual_seed(0)
worst = 0.0
def check(layer, x, expected):
    global worst
    got = layer.call(x.permute(0, 2, 3, 1).numpy())
    want = expected.permute(0, 2, 3, 1).numpy()
    assert got.shape == want.shape, (got.shape, want.shape)
    worst = max(worst, float(np.abs(got - want).max()))
for h, w in ((19, 27), (61, 80)):
    x = torch.rand(2, 3, h, w) * 4 - 2
    for mode, corners in (("nearest", None), ("bilinear", False), ("bilinear", True)):
        for scale in (2, 1.5):
            check(CnnResize2D(size=[int(h * scale), int(w * scale)], mode=mode, align_corners=bool(corners), scale=scale), x,
                  F.interpolate(x, scale_factor=scale, mode=mode, align_corners=corners))
        check(CnnResize2D(size=[37, 53], mode=mode, align_corners=bool(corners)), x, F.interpolate(x, size=(37, 53), mode=mode, align_corners=corners))
x = torch.rand(2, 3, 13, 11)
for size in ((5, 7), (7, 7), (13, 1)):
    check(CnnAdaptiveAvgPool2D(size=list(size)), x, F.adaptive_avg_pool2d(x, size))
    check(CnnAdaptiveMaxPool2D(size=list(size)), x, F.adaptive_max_pool2d(x, size))
print(worst)
`;
    const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', timeout: 240_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(Number(r.stdout.trim()) < TOLERANCE, `largest difference ${r.stdout}`);
  });
});
