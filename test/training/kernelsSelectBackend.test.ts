// Backend selection: the chain falls through the optional native and WebGPU engines (not installed
// here) to wasm with the project's filter-gradient kernel, and records why each earlier one was skipped.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { installNativeEngine } from '../../src/training/engine/installNativeEngine';
import { selectBackend } from '../../src/training/engine/selectBackend';
import { restoreBuiltInKernel } from '../../src/training/engine/kernels/installTrainingKernels';
import { chainDesign } from '../support/designBuilder';

describe('selectBackend', function () {
  this.timeout(60_000);
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('skips the absent native engines with their reason and trains on wasm', async () => {
    const report = await selectBackend({ smokeTest: true });
    assert.equal(report.backend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(report.attempts.map((a) => [a.backend, a.ok]), [['tensorflow-gpu', false], ['tensorflow', false], ['webgpu', false], ['wasm', true]]);
    assert.match(report.attempts[0].reason!, /@tensorflow\/tfjs-node-gpu is not installed/);
    assert.match(report.attempts[1].reason!, /@tensorflow\/tfjs-node is not installed/);
    assert.match(report.attempts[2].reason!, /webgpu is not installed/);
  });

  it('falls back cleanly from WebGPU when Dawn finds no GPU adapter, saying so', async () => {
    // A `webgpu` package that behaves as Dawn does on a machine without a Vulkan, Metal or D3D12 driver.
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-'));
    const pkg = path.join(folder, 'node_modules', 'webgpu');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'webgpu', main: 'index.js' }));
    fs.writeFileSync(path.join(pkg, 'index.js'), 'exports.globals = {}; exports.create = () => ({ requestAdapter: async () => null });');
    try {
      const report = await selectBackend({ nativeEngineFolders: [folder], smokeTest: false });
      assert.equal(report.backend, 'wasm');
      assert.deepEqual(report.attempts[2], { backend: 'webgpu', ok: false, reason: 'WebGPU (Dawn) found no GPU adapter: no usable Vulkan, Metal or D3D12 driver.' });
      assert.equal((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu, undefined, 'navigator.gpu is only set once an adapter exists');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('reports a native engine that is present but broken, and still falls through', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-'));
    const pkg = path.join(folder, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node-gpu', main: 'index.js' }));
    fs.writeFileSync(path.join(pkg, 'index.js'), "throw new Error('libtensorflow.so.2: cannot open shared object file');");
    try {
      const report = await selectBackend({ nativeEngineFolders: [folder] });
      assert.equal(report.backend, 'wasm');
      assert.match(report.attempts[0].reason!, /installed but failed to load: libtensorflow\.so\.2/);
      // A package whose own dependency is missing is a broken install, not an absent one.
      fs.writeFileSync(path.join(pkg, 'index.js'), "require('@tensorflow/tfjs-node-gpu-missing-binding');");
      const second = await selectBackend({ nativeEngineFolders: [folder], smokeTest: false });
      assert.match(second.attempts[0].reason!, /installed but failed to load: Cannot find module '@tensorflow\/tfjs-node-gpu-missing-binding'/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('a forced backend is the only one tried; an unavailable one is a clear error', async () => {
    const report = await selectBackend({ preferred: 'cpu' });
    assert.deepEqual(report, { backend: 'cpu', attempts: [{ backend: 'cpu', ok: true }] });
    await assert.rejects(selectBackend({ preferred: 'tensorflow-gpu' }), /The tensorflow-gpu backend cannot train here: tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed/);
    await assert.rejects(selectBackend({ preferred: 'webgpu' }), /The webgpu backend cannot train here: webgpu: webgpu is not installed/);
    await assert.rejects(selectBackend({ preferred: 'webgl' }), /Unknown backend "webgl"/);
  });

  it('the smoke test trains the given design too, and a backend missing a training kernel fails it', async () => {
    const design = chainDesign([6, 6, 1], [['Conv2D', { filters: 2, kernelSize: 3 }], ['Flatten'], ['Dense', { units: 2 }]]);
    // wasm as TF.js ships it, without the project's filter gradient: it loads but cannot train.
    await selectBackend({ preferred: 'wasm', smokeTest: false });
    restoreBuiltInKernel('Conv2DBackpropFilter', 'wasm');
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
    const model = compileDesign(design);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await assert.rejects(model.trainOnBatch(tf.zeros([1, 6, 6, 1]), tf.zeros([1, 2])), /Conv2DBackpropFilter/);
    model.dispose();
    const report = await selectBackend({ preferred: 'wasm', smokeDesign: design });
    assert.equal(report.backend, 'wasm', 'selecting wasm installs the kernel again');
    assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
  });
});

describe('installNativeEngine', function () {
  this.timeout(120_000);

  it('says plainly that the machine is offline when the registry cannot be reached, and leaves no usable engine', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-install-'));
    // A registry on a local port nothing listens on: what an offline machine sees, without any network.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const lines: string[] = [];
    try {
      await assert.rejects(
        installNativeEngine({ folder, registry: `http://127.0.0.1:${port}/`, onProgress: (line) => lines.push(line) }),
        /Installing @tensorflow\/tfjs-node-gpu needs internet access .* seems to be offline: .*ECONNREFUSED/,
      );
      assert.ok(lines.length > 0, 'npm output is passed on as progress');
      const report = await selectBackend({ nativeEngineFolders: [folder], smokeTest: false });
      assert.match(report.attempts[0].reason!, /tfjs-node-gpu is not installed/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('names npm when it is missing', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-install-'));
    try {
      await assert.rejects(installNativeEngine({ folder, gpu: false, npmCommand: path.join(folder, 'no-npm-here') }), /npm was not found .* installing the @tensorflow\/tfjs-node engine needs Node\.js and npm/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
