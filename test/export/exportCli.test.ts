import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { EXPORT_TARGETS, exportDesign } from '../../src/core/export/exportDesign';
import { parseDesign } from '../../src/core/format/parseDesign';
import { className } from '../../src/core/export/identifierNames';
import { runPython } from './support/python';
import { loadTfjsExport, randomInput, randomizeWeights, usePlainCpuBackend } from './support/tfjsExport';
import { cli } from '../support/cli';

const ROOT = resolve(__dirname, '..', '..');
const MNIST = join(ROOT, 'examples', 'mnist-cnn.cnn.json');

describe('export: entry point and CLI', function () {
  before(usePlainCpuBackend);
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'cnn-export-cli-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every export starts with the design name, input shape and parameter totals', () => {
    const design = parseDesign(readFileSync(MNIST, 'utf8')).design!;
    for (const target of EXPORT_TARGETS) {
      const head = exportDesign(design, target).files[0].code.split('\n').slice(0, 6).join('\n');
      assert.match(head, /MNIST CNN \(course lab\)/, target);
      assert.match(head, /\[28, 28, 1\]/, target);
      assert.match(head, /Parameters: 21,840 trainable \+ 0 non-trainable = 21,840/, target);
    }
  });

  it('names and descriptions with quotes, backslashes and line breaks stay inside comments and strings', () => {
    const design = parseDesign(readFileSync(MNIST, 'utf8')).design!;
    design.name = 'My "net" \\ */ 2';
    design.description = 'First line\nsecond """ line\\';
    const files = EXPORT_TARGETS.map((target) => ({ target, ...exportDesign(design, target).files[0] }));
    for (const f of files) writeFileSync(join(dir, f.fileName), f.code);
    runPython(['-m', 'py_compile', ...files.filter((f) => f.target !== 'tfjs').map((f) => join(dir, f.fileName))]);
    const js = files.find((f) => f.target === 'tfjs')!;
    assert.doesNotThrow(() => new Function('require', 'module', 'exports', js.code));
    for (const f of files) assert.match(f.code.split('\n')[2], /^(#|\/\/) second """ line/, f.target);
  });

  it('refuses a design with errors, naming the node and the problem', () => {
    const design = parseDesign(readFileSync(MNIST, 'utf8')).design!;
    design.nodes.find((n) => n.id === 'conv2')!.params.kernelSize = 40;
    assert.throws(() => exportDesign(design, 'pytorch'), /Cannot export "MNIST CNN \(course lab\)": the design has 1 error\. conv2: The 40×40 window/);
    assert.throws(() => exportDesign(design, 'onnx' as never), /Unknown export target "onnx"/);
  });

  it('cnn-designer export --to pytorch prints the module', async () => {
    const r = await cli('export', MNIST, '--to', 'pytorch');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /class MNISTCNNCourseLab\(nn\.Module\):/);
    assert.match(r.stdout, /self\.fc1 = nn\.Linear\(320, 50\)/);
  });

  it('--train-script writes the module and train.py into the -o folder', async () => {
    const out = join(dir, 'torch');
    const r = await cli('export', MNIST, '--to', 'pytorch', '--train-script', '-o', out);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['mnist_cnn_course_lab.py', 'train.py']);
    assert.match(r.stdout, /wrote .*train\.py/);
  });

  it('explains bad usage with exit code 2, and a broken design with exit code 1', async () => {
    assert.match((await cli('export', MNIST)).stderr, /Missing --to/);
    assert.equal((await cli('export', MNIST, '--to', 'caffe')).code, 2);
    assert.match((await cli('export', MNIST, '--to', 'keras', '--train-script')).stderr, /--train-script goes with --to pytorch/);
    assert.match((await cli('export', MNIST, '--to', 'pytorch', '--train-script')).stderr, /give a folder with -o/);
    assert.match((await cli('export', join(dir, 'missing.cnn.json'), '--to', 'tfjs')).stderr, /No such file/);
    const broken = join(dir, 'broken.cnn.json');
    writeFileSync(broken, readFileSync(MNIST, 'utf8').replace('"kernelSize": 5 }\n    },\n    {\n      "id": "drop1"', '"kernelSize": 50 }\n    },\n    {\n      "id": "drop1"'));
    const r = await cli('export', broken, '--to', 'pytorch');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.cnn\.json:\d+:\d+: error \[conv2\]/);
  });

  it('the TF.js file runs as is with node and builds the model', async () => {
    const file = join(dir, 'model.js');
    assert.equal((await cli('export', join(ROOT, 'examples', 'resnet18.cnn.json'), '--to', 'tfjs', '-o', file)).code, 0);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') }, timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Total params: 11,?699,?112/);
    // Only the summary: not TF.js' banner about its Node engine (printed on its first tensor).
    assert.equal(run.stderr, '');
    assert.doesNotMatch(run.stdout, /TensorFlow\.js in Node|tfjs-node/);
  });

  it('cnn-designer import turns a TF.js model.json back into a design, and reports what it cannot represent', async () => {
    const design = parseDesign(readFileSync(join(ROOT, 'examples', 'lenet5.cnn.json'), 'utf8')).design!;
    const model = loadTfjsExport(exportDesign(design, 'tfjs').files[0].code).buildModel();
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [] }));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    model.dispose();
    const r = await cli('import', join(dir, 'model.json'), '-o', join(dir, 'lenet.cnn.json'));
    assert.equal(r.code, 0, r.stderr);
    const imported = parseDesign(readFileSync(join(dir, 'lenet.cnn.json'), 'utf8')).design!;
    assert.equal(analyzeDesign(imported).totals.params, analyzeDesign(design).totals.params);

    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.modelTopology.config.layers[2].class_name = 'SeparableConv2D';
    writeFileSync(join(dir, 'odd.json'), JSON.stringify(json));
    const bad = await cli('import', join(dir, 'odd.json'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Layer 3 "\w+" \(SeparableConv2D\): the designer has no such layer/);
  });

  it('--weights converts a saved TF.js model (model.json + weights.bin) into weights the PyTorch module loads, with the same outputs', async () => {
    const design = parseDesign(readFileSync(join(ROOT, 'examples', 'cifar-simple-cnn.cnn.json'), 'utf8')).design!;
    const model = loadTfjsExport(exportDesign(design, 'tfjs').files[0].code).buildModel();
    randomizeWeights(model, 11);
    const shape = [3, ...(model.inputs[0].shape.slice(1) as number[])];
    const input = tf.tensor(randomInput(shape, 12), shape);
    const output = model.predict(input) as tf.Tensor;
    const saved = join(dir, 'trained');
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        rmSync(saved, { recursive: true, force: true });
        mkdirSync(saved);
        writeFileSync(join(saved, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }));
        writeFileSync(join(saved, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    writeFileSync(join(dir, 'x.bin'), input.dataSync() as Float32Array);
    writeFileSync(join(dir, 'y.bin'), output.dataSync() as Float32Array);
    model.dispose();

    const out = join(dir, 'with-weights');
    const r = await cli('export', join(ROOT, 'examples', 'cifar-simple-cnn.cnn.json'), '--to', 'pytorch', '--weights', join(saved, 'model.json'), '-o', out);
    assert.equal(r.code, 0, r.stderr);
    const files = readdirSync(out).sort();
    assert.equal(files.length, 2);
    const [code, weights] = files;
    assert.match(weights, /\.safetensors$/);
    const job = [{ id: 'trained', moduleName: 'trained', file: join(out, code), className: className(design.name), weights: join(out, weights), input: { file: join(dir, 'x.bin'), shape }, expected: { file: join(dir, 'y.bin'), shape: output.shape } }];
    writeFileSync(join(dir, 'job.json'), JSON.stringify(job));
    runPython([join(__dirname, 'support', 'checkPyTorchModules.py'), join(dir, 'job.json'), join(dir, 'result.json')]);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).trained;
    assert.equal(result.error, undefined, result.error);
    assert.ok(result.maxDiff <= 1e-4 * Math.max(1, result.maxAbs), `outputs differ by ${result.maxDiff}`);
    tf.dispose([input, output]);

    assert.match((await cli('export', MNIST, '--to', 'keras', '--weights', join(saved, 'model.json'))).stderr, /--weights goes with --to pytorch/);
    const wrong = await cli('export', MNIST, '--to', 'pytorch', '--weights', join(saved, 'model.json'), '-o', join(dir, 'wrong'));
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /conv1\/kernel has shape \[3, 3, 3, 32\], but layer "conv1" of the design needs \[5, 5, 1, 10\]: the weights belong to another design/);
  });
});
