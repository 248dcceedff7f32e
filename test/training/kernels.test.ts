// The project's training kernels (convolution gradients, max-pool gradient) against TF.js' own cpu kernels (and a direct sum where
// TF.js has none, for dilations), on random shapes, strides, paddings and dilations, on cpu and wasm.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { transposedBlocks, transposedRuns } from '../../src/training/engine/kernels/transposedBlocks';
import { filterGradientDirect, filterGradientTile, filterGradientViaConv, inputGradientViaConv, inputGradientViaGemm, prefersDirectFilterGradient, prefersGemmInputGradient } from '../../src/training/engine/kernels/convGradientKernels';
import { builtInKernel, installTrainingKernels, TESTED_TFJS_VERSION } from '../../src/training/engine/kernels/installTrainingKernels';
import { initWasmBackend } from '../../src/training/engine/initWasmBackend';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { chainDesign } from '../support/designBuilder';
import { seededRandom } from '../support/randomDesign';
import { assembleWasmKernels, WASM_KERNEL_MODULES } from '../../scripts/buildWasmKernels';
import { assertClose } from '../support/assertClose';

interface ConvCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];
}

function randomCase(rnd: () => number, allowDilation: boolean): ConvCase {
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  for (;;) {
    const kh = int(1, 5);
    const kw = rnd() < 0.7 ? kh : int(1, 5);
    const dilated = allowDilation && rnd() < 0.4;
    const dilations: [number, number] = dilated ? [int(1, 3), int(1, 3)] : [1, 1];
    const strides: [number, number] = dilated ? [1, 1] : [int(1, 3), int(1, 3)];
    const r = rnd();
    // TF.js sizes a numeric padding from the filter height and stride alone, so it is drawn for square windows only.
    const square = kh === kw && strides[0] === strides[1] && dilations[0] === dilations[1];
    const pad: ConvCase['pad'] = r < 0.3 ? 'valid' : r < 0.6 ? 'same' : r < 0.8 && square ? int(0, 3) : [[0, 0], [int(0, 3), int(0, 3)], [int(0, 3), int(0, 3)], [0, 0]];
    const xShape: [number, number, number, number] = [int(1, 4), int(3, 12), int(3, 12), int(1, 5)];
    const filterShape: [number, number, number, number] = [kh, kw, xShape[3], int(1, 6)];
    try {
      const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, undefined, false, 'channelsLast');
      if (info.outHeight > 0 && info.outWidth > 0) return { xShape, filterShape, strides, dilations, pad };
    } catch {
      // geometry TF.js refuses: draw again
    }
  }
}

/** Direct sums of the gradients over every tap, the definition itself (for cases TF.js cannot compute). */
function directGradients(c: ConvCase, x: Float32Array, dy: Float32Array, w: Float32Array, outShape: number[]): { dw: Float32Array; dx: Float32Array } {
  const info = tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, c.dilations, c.pad, undefined, false, 'channelsLast');
  const [B, H, W, CI] = c.xShape;
  const [KH, KW, , CO] = c.filterShape;
  const [, OH, OW] = outShape;
  const dw = new Float32Array(KH * KW * CI * CO);
  const dx = new Float32Array(B * H * W * CI);
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++)
          for (let kw = 0; kw < KW; kw++) {
            const h = oh * info.strideHeight + kh * info.dilationHeight - info.padInfo.top;
            const ww = ow * info.strideWidth + kw * info.dilationWidth - info.padInfo.left;
            if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
            for (let ci = 0; ci < CI; ci++)
              for (let co = 0; co < CO; co++) {
                const g = dy[((b * OH + oh) * OW + ow) * CO + co];
                dw[((kh * KW + kw) * CI + ci) * CO + co] += x[((b * H + h) * W + ww) * CI + ci] * g;
                dx[((b * H + h) * W + ww) * CI + ci] += w[((kh * KW + kw) * CI + ci) * CO + co] * g;
              }
          }
  return { dw, dx };
}


/** Random x, filter and dy of a case (seeded by i), and the gradients as direct sums. */
function caseTensors(c: ConvCase, i: number) {
  const x = tf.randomNormal(c.xShape, 0, 1, 'float32', i);
  const w = tf.randomNormal(c.filterShape, 0, 1, 'float32', i + 1000);
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad as 'valid', 'NHWC', c.dilations);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', i + 2000);
  const expected = directGradients(c, x.dataSync() as Float32Array, dy.dataSync() as Float32Array, w.dataSync() as Float32Array, y.shape);
  return { x, w, y, dy, expected };
}

describe('training kernels', function () {
  this.timeout(120_000);

  for (const kernels of WASM_KERNEL_MODULES) {
    it(`the committed WebAssembly kernels are assembled from the current ${path.basename(kernels.source)} (npm run build:wasm-kernels)`, async () => {
      assert.equal(fs.readFileSync(kernels.binaryModule, 'utf8'), await assembleWasmKernels(kernels));
    });
  }

  it(`are checked against the installed TF.js (${TESTED_TFJS_VERSION}); a new version must re-run these checks and update the pin`, () => {
    assert.equal(tf.version.tfjs, TESTED_TFJS_VERSION);
    for (const pkg of ['tfjs', 'tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-wasm']) {
      const json = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve(`@tensorflow/${pkg}/package.json`)), 'package.json'), 'utf8')) as { version: string };
      assert.equal(json.version, TESTED_TFJS_VERSION, `@tensorflow/${pkg}`);
    }
    // The TF.js internals the patch relies on besides the kernel registry.
    assert.equal(typeof tf.engine().state.gradientDepth, 'number', 'engine state used to train convolutions unfused');
    assert.ok(tf.serialization.SerializationMap.getMap().classNameMap.Conv2D, 'the Conv2D layer class that training subclasses');
    // The bundles hold TF.js, so it is a build-time (dev) dependency; the pin is what matters.
    const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> };
    assert.equal(manifest.devDependencies['@tensorflow/tfjs'], TESTED_TFJS_VERSION, 'package.json pins TF.js exactly');
    assert.equal(manifest.devDependencies['@tensorflow/tfjs-backend-wasm'], TESTED_TFJS_VERSION, 'package.json pins the wasm backend exactly');
  });

  for (const backendName of ['cpu', 'wasm']) {
    describe(`on ${backendName}`, () => {
      before(async () => {
        if (backendName === 'wasm') await initWasmBackend();
        else await tf.setBackend('cpu');
        installTrainingKernels(backendName);
      });
      after(async () => {
        await tf.setBackend('cpu');
      });

      it('filter and input gradients match TF.js cpu kernels on 150 random cases (strides, all paddings), to 1e-5 relative', () => {
        const rnd = seededRandom(backendName === 'cpu' ? 11 : 12);
        const reference = builtInKernel('Conv2DBackpropFilter', 'cpu')!;
        const referenceInput = builtInKernel('Conv2DBackpropInput', 'cpu')!;
        const cpu = tf.findBackend('cpu')!;
        const backend = tf.backend();
        for (let i = 0; i < 150; i++) {
          const c = randomCase(rnd, false);
          tf.tidy(() => {
            const x = tf.randomNormal(c.xShape, 0, 1, 'float32', i);
            const w = tf.randomNormal(c.filterShape, 0, 1, 'float32', i + 1000);
            const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad as 'valid');
            const dy = tf.randomNormal(y.shape, 0, 1, 'float32', i + 2000);
            const xData = x.dataSync() as Float32Array;
            const dyData = dy.dataSync() as Float32Array;
            const wData = w.dataSync() as Float32Array;
            // TF.js' own cpu kernels on cpu copies of the same data
            const onCpu = (data: Float32Array, shape: number[]) => {
              const info = { dataId: cpu.write(data, shape, 'float32'), shape, dtype: 'float32' as const };
              return info;
            };
            const cx = onCpu(xData, c.xShape);
            const cdy = onCpu(dyData, dy.shape);
            const cw = onCpu(wData, c.filterShape);
            const expectedDw = reference.kernelFunc({ inputs: { x: cx, dy: cdy }, backend: cpu, attrs: { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filterShape } }) as tf.TensorInfo;
            const expectedDx = referenceInput.kernelFunc({ inputs: { dy: cdy, filter: cw }, backend: cpu, attrs: { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.xShape } }) as tf.TensorInfo;
            const dw = filterGradientViaConv(backend, { x, dy, filterShape: c.filterShape, strides: c.strides, pad: c.pad });
            const dx = inputGradientViaConv(backend, { dy, filter: w, inputShape: c.xShape, strides: c.strides, pad: c.pad });
            const what = `case ${i} ${JSON.stringify(c)}`;
            assert.deepEqual(dw.shape, c.filterShape, `${what}: dW shape`);
            assert.deepEqual(dx.shape, c.xShape, `${what}: dx shape`);
            assertClose(backend.readSync(dw.dataId) as Float32Array, cpu.readSync(expectedDw.dataId) as Float32Array, `${what} dW`);
            assertClose(backend.readSync(dx.dataId) as Float32Array, cpu.readSync(expectedDx.dataId) as Float32Array, `${what} dx`);
            for (const info of [cx, cdy, cw, expectedDw, expectedDx]) cpu.disposeData(info.dataId);
            backend.disposeData(dw.dataId);
            backend.disposeData(dx.dataId);
          });
        }
      });

      it('handle dilations (which TF.js cannot differentiate) as the direct sums do, on 60 random cases', () => {
        const rnd = seededRandom(backendName === 'cpu' ? 21 : 22);
        const backend = tf.backend();
        for (let i = 0; i < 60; i++) {
          const c = randomCase(rnd, true);
          tf.tidy(() => {
            const { x, w, dy, expected } = caseTensors(c, i);
            const dw = filterGradientViaConv(backend, { x, dy, filterShape: c.filterShape, strides: c.strides, pad: c.pad, dilations: c.dilations });
            const dx = inputGradientViaConv(backend, { dy, filter: w, inputShape: c.xShape, strides: c.strides, pad: c.pad, dilations: c.dilations });
            const what = `case ${i} ${JSON.stringify(c)}`;
            assertClose(backend.readSync(dw.dataId) as Float32Array, expected.dw, `${what} dW`);
            assertClose(backend.readSync(dx.dataId) as Float32Array, expected.dx, `${what} dx`);
            backend.disposeData(dw.dataId);
            backend.disposeData(dx.dataId);
          });
        }
      });

      if (backendName === 'wasm') {
        it('the matrix-product input gradient (GEMM + SIMD col2im) matches the direct sums on 150 random cases, strides, paddings and dilations included', () => {
          const rnd = seededRandom(31);
          const backend = tf.backend();
          let preferred = 0;
          for (let i = 0; i < 150; i++) {
            const c = randomCase(rnd, true);
            tf.tidy(() => {
              const { w, y, dy, expected } = caseTensors(c, i);
              const dx = inputGradientViaGemm(backend, { dy, filter: w, inputShape: c.xShape, strides: c.strides, pad: c.pad, dilations: c.dilations });
              assertClose(backend.readSync(dx.dataId) as Float32Array, expected.dx, `case ${i} ${JSON.stringify(c)} dx`);
              backend.disposeData(dx.dataId);
              if (prefersGemmInputGradient('wasm', c.xShape, y.shape, c.filterShape)) preferred++;
            });
          }
          // The kernel picks it for part of these cases (valid padding, strides), the flipped-filter convolution for the rest.
          assert.ok(preferred > 20 && preferred < 130, `preferred in ${preferred} of 150 cases`);
          assert.equal(prefersGemmInputGradient('wasm', [64, 12, 12, 10], [64, 8, 8, 20], [5, 5, 10, 20]), true);
          assert.equal(prefersGemmInputGradient('wasm', [64, 12, 12, 10], [64, 12, 12, 20], [3, 3, 10, 20]), false, "'same' padding: nothing to save");
          assert.equal(prefersDirectFilterGradient([7, 7, 3, 64], [32, 16, 16, 64]), true, 'a first layer: few input channels');
          assert.equal(prefersDirectFilterGradient([5, 5, 10, 20], [32, 8, 8, 20]), true, 'up to 32 input channels, any map');
          assert.equal(prefersDirectFilterGradient([3, 3, 128, 128], [32, 16, 16, 128]), true, 'up to 128 input channels on maps of 16×16 and more');
          assert.equal(prefersDirectFilterGradient([3, 3, 64, 64], [32, 8, 8, 64]), false, "64 input channels on an 8×8 map: XNNPACK's GEMM");
          assert.equal(prefersDirectFilterGradient([3, 3, 256, 256], [32, 32, 32, 256]), false, "from 256 input channels: XNNPACK's GEMM");
          assert.equal(prefersDirectFilterGradient([1, 1, 384, 64], [32, 4, 4, 64]), true, '1×1 up to 511 input channels, any map');
          assert.equal(prefersDirectFilterGradient([1, 1, 960, 160], [32, 4, 4, 160]), false, "1×1 from 512 input channels: XNNPACK's GEMM");
          assert.equal(prefersGemmInputGradient('cpu', [64, 12, 12, 10], [64, 8, 8, 20], [5, 5, 10, 20]), false);
          // The tile with fewer passes, a narrow one costing 1.2: 1.2·⌈taps/6⌉·⌈co/8⌉ against ⌈taps/4⌉·⌈co/12⌉.
          assert.equal(filterGradientTile([5, 5, 3, 6]), 'narrow', '6 channels: 13 narrow passes against 19');
          assert.equal(filterGradientTile([5, 5, 6, 16]), 'narrow', '16 channels: 50 narrow passes against 76');
          assert.equal(filterGradientTile([5, 5, 1, 10]), 'wide', '10 channels: 10 narrow passes against 7');
          assert.equal(filterGradientTile([5, 5, 10, 20]), 'wide', '20 channels: 126 passes each');
          assert.equal(filterGradientTile([3, 3, 64, 64]), 'wide', '64 channels: 768 narrow passes (921.6) against 864');
        });

        it('the direct filter gradient matches the direct sums on 150 random cases (paddings, strides, dilations, channel counts past 12, chunks of 1–3 rows; both tiles)', () => {
          const rnd = seededRandom(71);
          const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
          const backend = tf.backend();
          let done = 0;
          let chunked = 0;
          while (done < 150) {
            const c = randomCase(rnd, true);
            const co = rnd() < 0.4 ? int(11, 30) : c.filterShape[3];
            const ci = rnd() < 0.3 ? int(6, 13) : c.xShape[3];
            const xShape: ConvCase['xShape'] = [c.xShape[0], c.xShape[1], c.xShape[2], ci];
            const filterShape: ConvCase['filterShape'] = [c.filterShape[0], c.filterShape[1], ci, co];
            const conv: ConvCase = { ...c, xShape, filterShape };
            let info: ReturnType<typeof tf.backend_util.computeConv2DInfo>;
            try {
              info = tf.backend_util.computeConv2DInfo(xShape, filterShape, c.strides, c.dilations, c.pad, undefined, false, 'channelsLast');
            } catch {
              continue;
            }
            if (info.outHeight <= 0 || info.outWidth <= 0) continue;
            // Chunks of a few rows make the kernel add later chunks' sums to the first's.
            const chunkRows = rnd() < 0.5 ? int(1, 3) : undefined;
            if (chunkRows !== undefined && chunkRows < xShape[0] * info.outHeight) chunked++;
            const i = done++;
            tf.tidy(() => {
              const { x, dy, expected } = caseTensors(conv, i);
              for (const tile of ['wide', 'narrow'] as const) {
                const dw = filterGradientDirect(backend, { x, dy, filterShape, strides: c.strides, pad: c.pad, dilations: c.dilations }, { chunkRows, tile });
                assert.ok(dw, 'applies to every convolution whose dy lies far enough inside the heap');
                assertClose(backend.readSync(dw.dataId) as Float32Array, expected.dw, `case ${i} ${JSON.stringify(conv)} (chunks of ${chunkRows ?? 'default'} rows, ${tile} tiles) dW`);
                backend.disposeData(dw.dataId);
              }
            });
          }
          assert.ok(chunked > 30, `${chunked} cases span several chunks`);
        });

        it('transposes blocks (taps reversed or not) as the index arithmetic says, on 60 random shapes with 4×4 tiles and tails', () => {
          const rnd = seededRandom(91);
          const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
          const backend = tf.backend();
          for (let i = 0; i < 60; i++) {
            const [blocks, rows, cols] = [int(1, 9), int(1, 23), int(1, 23)];
            const flip = rnd() < 0.5;
            tf.tidy(() => {
              const x = tf.randomNormal([blocks, rows, cols], 0, 1, 'float32', i);
              const out = transposedBlocks(backend, x, blocks, rows, cols, flip, [blocks, cols, rows]);
              const actual = backend.readSync(out.dataId) as Float32Array;
              const values = x.dataSync();
              for (let b = 0; b < blocks; b++)
                for (let r = 0; r < rows; r++)
                  for (let c = 0; c < cols; c++) {
                    const to = ((flip ? blocks - 1 - b : b) * cols + c) * rows + r;
                    assert.equal(actual[to], values[(b * rows + r) * cols + c], `shape [${blocks}, ${rows}, ${cols}]${flip ? ' flipped' : ''}: block ${b}, row ${r}, column ${c}`);
                  }
              backend.disposeData(out.dataId);
            });
          }
        });

        it('swaps the two outer axes of runs of values as the index arithmetic says, on 40 random shapes', () => {
          const rnd = seededRandom(93);
          const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
          const backend = tf.backend();
          for (let i = 0; i < 40; i++) {
            const [rows, cols, run] = [int(1, 17), int(1, 17), int(1, 9)];
            tf.tidy(() => {
              const x = tf.randomNormal([rows, cols, run], 0, 1, 'float32', i);
              const out = transposedRuns(backend, x, rows, cols, run, [cols, rows, run]);
              const actual = backend.readSync(out.dataId) as Float32Array;
              const values = x.dataSync();
              for (let r = 0; r < rows; r++)
                for (let c = 0; c < cols; c++)
                  for (let k = 0; k < run; k++) assert.equal(actual[(c * rows + r) * run + k], values[(r * cols + c) * run + k], `[${rows}, ${cols}, ${run}] at ${r}, ${c}, ${k}`);
              backend.disposeData(out.dataId);
            });
          }
        });

        it('matrix products run as 1×1 convolutions and equal TF.js\' own BatchMatMul on 80 random cases, transposed operands and batches included', () => {
          const rnd = seededRandom(51);
          const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
          const reference = builtInKernel('BatchMatMul', 'wasm')!;
          const backend = tf.backend();
          assert.notEqual(tf.getKernel('BatchMatMul', 'wasm').kernelFunc, reference.kernelFunc, "the project's kernel is installed");
          for (let i = 0; i < 80; i++) {
            const [m, k, n] = [int(1, 70), int(1, 70), int(1, 70)];
            const batch = rnd() < 0.2 ? int(2, 3) : 1;
            const transposeA = rnd() < 0.5;
            const transposeB = rnd() < 0.5;
            const rank3 = batch > 1 || rnd() < 0.3;
            const shapeOf = (rows: number, cols: number) => (rank3 ? [batch, rows, cols] : [rows, cols]);
            tf.tidy(() => {
              const a = tf.randomNormal(transposeA ? shapeOf(k, m) : shapeOf(m, k), 0, 1, 'float32', i);
              const b = tf.randomNormal(transposeB ? shapeOf(n, k) : shapeOf(k, n), 0, 1, 'float32', i + 100);
              const attrs = { transposeA, transposeB };
              const expected = reference.kernelFunc({ inputs: { a, b }, backend, attrs }) as tf.TensorInfo;
              const actual = tf.engine().runKernel('BatchMatMul', { a, b }, attrs) as tf.Tensor;
              const what = `case ${i} ${JSON.stringify({ m, k, n, batch, transposeA, transposeB, rank3 })}`;
              assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
              assertClose(actual.dataSync(), backend.readSync(expected.dataId) as Float32Array, what);
              backend.disposeData(expected.dataId);
            });
          }
        });

        it('sums over leading axes by SIMD row sums, equal to TF.js\' own Sum on 80 random cases; other reductions keep it', () => {
          const rnd = seededRandom(61);
          const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
          const reference = builtInKernel('Sum', 'wasm')!;
          const backend = tf.backend();
          assert.notEqual(tf.getKernel('Sum', 'wasm').kernelFunc, reference.kernelFunc, "the project's kernel is installed");
          for (let i = 0; i < 80; i++) {
            const rank = int(1, 4);
            const shape = Array.from({ length: rank }, () => int(1, 9));
            const axisCount = int(1, rank);
            const leading = rnd() < 0.7;
            const axis = leading ? Array.from({ length: axisCount }, (_, k) => k) : [rank - 1];
            const keepDims = rnd() < 0.3;
            tf.tidy(() => {
              const x = tf.randomNormal(shape, 0, 1, 'float32', i);
              const expected = reference.kernelFunc({ inputs: { x }, backend, attrs: { axis, keepDims } }) as tf.TensorInfo;
              const actual = tf.engine().runKernel('Sum', { x }, { axis, keepDims }) as tf.Tensor;
              const what = `case ${i} ${JSON.stringify({ shape, axis, keepDims })}`;
              assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
              assertClose(actual.dataSync(), backend.readSync(expected.dataId) as Float32Array, what);
              backend.disposeData(expected.dataId);
            });
          }
        });

        it("adds a bias along the last axis (either order, [C] or [1, …, 1, C], channel counts off the SIMD width and the tiled period) to the same floats as TF.js' own Add on 80 random cases; other adds keep it", () => {
          const rnd = seededRandom(67);
          const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
          const reference = builtInKernel('Add', 'wasm')!;
          const backend = tf.backend();
          assert.notEqual(tf.getKernel('Add', 'wasm').kernelFunc, reference.kernelFunc, "the project's kernel is installed");
          for (let i = 0; i < 80; i++) {
            const rank = int(2, 4);
            const channels = [1, 3, 4, 6, 7, 12, 20, 63, 65, 130][int(0, 9)];
            const shape = [...Array.from({ length: rank - 1 }, () => int(1, 9)), channels];
            // Mostly bias vectors; some adds of equal shapes and broadcasts along other axes, which the built-in kernel keeps.
            const kind = rnd();
            const otherShape = kind < 0.4 ? [channels] : kind < 0.7 ? [...shape.slice(0, -1).map(() => 1), channels] : kind < 0.85 ? shape : [...shape.slice(0, -1), 1];
            const swapped = rnd() < 0.5;
            tf.tidy(() => {
              const x = tf.randomNormal(shape, 0, 1, 'float32', i);
              const v = tf.randomNormal(otherShape, 0, 1, 'float32', 1000 + i);
              const inputs = swapped ? { a: v, b: x } : { a: x, b: v };
              const expected = reference.kernelFunc({ inputs, backend, attrs: {} }) as tf.TensorInfo;
              const actual = tf.engine().runKernel('Add', inputs, {}) as tf.Tensor;
              const what = `case ${i} ${JSON.stringify({ shape, otherShape, swapped })}`;
              assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
              const want = backend.readSync(expected.dataId) as Float32Array;
              const got = actual.dataSync();
              for (let k = 0; k < want.length; k++) assert.ok(Object.is(got[k], want[k]), `${what}: value ${k} is ${got[k]}, TF.js' ${want[k]}`);
              backend.disposeData(expected.dataId);
            });
          }
        });

        it('Identity shares the memory of its input, which stays alive until both are disposed', () => {
          const backend = tf.backend();
          const before = backend.numDataIds();
          const x = tf.tensor2d([[1, 2], [3, 4]]);
          const y = tf.engine().runKernel('Identity', { x }, {}) as tf.Tensor;
          assert.equal(backend.numDataIds() - before, 1, 'no copy was made');
          x.dispose();
          assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
          y.dispose();
          assert.equal(backend.numDataIds(), before);
        });
      }

      it('the max-pool gradient matches TF.js cpu kernel on 120 random cases, ties and overlapping windows included', () => {
        const rnd = seededRandom(backendName === 'cpu' ? 41 : 42);
        const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
        const reference = builtInKernel('MaxPoolGrad', 'cpu')!;
        const cpu = tf.findBackend('cpu')!;
        const backend = tf.backend();
        assert.notEqual(tf.getKernel('MaxPoolGrad', backendName).kernelFunc, builtInKernel('MaxPoolGrad', backendName)?.kernelFunc, 'the project\'s kernel is installed');
        for (let i = 0; i < 120; i++) {
          const pool: [number, number] = [int(1, 3), int(1, 3)];
          const strides: [number, number] = [int(1, 3), int(1, 3)];
          const shape: [number, number, number, number] = [int(1, 3), int(pool[0], 9), int(pool[1], 9), int(1, 5)];
          const pad = rnd() < 0.5 ? 'valid' : 'same';
          tf.tidy(() => {
            // Small integers make ties common, so which of equal maxima gets the gradient is checked too.
            const x = tf.floor(tf.randomUniform(shape, -3, 3, 'float32', i));
            const y = tf.maxPool(x as tf.Tensor4D, pool, strides, pad);
            const dy = tf.randomNormal(y.shape, 0, 1, 'float32', i + 500);
            const attrs = { filterSize: pool, strides, pad };
            const onCpu = (t: tf.Tensor) => ({ dataId: cpu.write(t.dataSync() as Float32Array, t.shape, 'float32'), shape: t.shape, dtype: 'float32' as const });
            const cx = onCpu(x);
            const cy = onCpu(y);
            const cdy = onCpu(dy);
            const expected = reference.kernelFunc({ inputs: { dy: cdy, input: cx, output: cy }, backend: cpu, attrs }) as tf.TensorInfo;
            const actual = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs) as tf.Tensor;
            assertClose(actual.dataSync(), cpu.readSync(expected.dataId) as Float32Array, `case ${i} ${JSON.stringify({ shape, pool, strides, pad })}`);
            for (const info of [cx, cy, cdy, expected]) cpu.disposeData(info.dataId);
          });
        }
      });

      it('the registered Conv2D gradient differentiates dilated convolutions (TF.js refuses to), on 30 random cases', () => {
        const rnd = seededRandom(backendName === 'cpu' ? 31 : 32);
        let dilatedCases = 0;
        for (let i = 0; i < 30; i++) {
          const c = randomCase(rnd, true);
          if (c.dilations.some((d) => d > 1)) dilatedCases++;
          tf.tidy(() => {
            const x = tf.randomNormal(c.xShape, 0, 1, 'float32', i);
            const w = tf.randomNormal(c.filterShape, 0, 1, 'float32', i + 1000);
            const forward = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad as 'valid', 'NHWC', c.dilations);
            const y = forward(x, w);
            const dy = tf.randomNormal(y.shape, 0, 1, 'float32', i + 2000);
            const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => forward(a, b).mul(dy).sum())([x, w]);
            const expected = directGradients(c, x.dataSync() as Float32Array, dy.dataSync() as Float32Array, w.dataSync() as Float32Array, y.shape);
            assertClose(gw.dataSync(), expected.dw, `case ${i} ${JSON.stringify(c)} dW`);
            assertClose(gx.dataSync(), expected.dx, `case ${i} ${JSON.stringify(c)} dx`);
          });
        }
        assert.ok(dilatedCases >= 8, `enough dilated cases (${dilatedCases})`);
      });

      it('a training step of a compiled model skips the input gradient of the first convolution', async () => {
        const model = compileDesign(chainDesign([8, 8, 1], [['Conv2D', { filters: 2, kernelSize: 3 }], ['Conv2D', { filters: 2, kernelSize: 3, dilationRate: 2 }], ['Flatten'], ['Dense', { units: 2 }]]));
        model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
        const x = tf.randomNormal([2, 8, 8, 1]);
        const y = tf.zeros([2, 2]);
        const profile = await tf.profile(async () => {
          await model.trainOnBatch(x, y);
        });
        const names = profile.kernels.map((k) => k.name);
        assert.equal(names.filter((n) => n === 'Conv2DBackpropFilter').length, 1, 'the undilated convolution\'s filter gradient');
        assert.equal(names.filter((n) => n === 'Conv2DBackpropInput').length, 0, 'no input gradient: the first convolution reads data, the dilated one goes through Conv2D');
        tf.dispose([x, y]);
        model.dispose();
      });

      it('are what tf.grad uses once installed, and leak no memory', () => {
        const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 5);
        const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 6);
        const dy = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same').mul(2));
        const expected = directGradients(
          { xShape: [2, 9, 9, 3], filterShape: [3, 3, 3, 4], strides: [2, 2], dilations: [1, 1], pad: 'same' },
          x.dataSync() as Float32Array,
          dy.dataSync() as Float32Array,
          w.dataSync() as Float32Array,
          [2, 5, 5, 4],
        );
        dy.dispose();
        const before = tf.memory().numTensors;
        const bytesBefore = tf.memory().numBytes;
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').square().sum())([x, w]);
        assertClose(gw.dataSync(), expected.dw, 'dW through tf.grads');
        assertClose(gx.dataSync(), expected.dx, 'dx through tf.grads');
        tf.dispose([gx, gw]);
        assert.equal(tf.memory().numTensors, before);
        assert.equal(tf.memory().numBytes, bytesBefore);
        tf.dispose([x, w]);
      });
    });
  }
});
