// The pieces of "open an .onnx file" and "Save as design" that need no VS Code: the import as the
// editor receives it (a design, or every problem with its place) and the files written beside it.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { analyzeDocument } from '../../../src/core/analysis/analyzeDocument';
import { analyzeDesign } from '../../../src/core/analysis/analyzeDesign';
import { compileGraph } from '../../../src/core/export/compileGraph';
import { exportOnnx } from '../../../src/core/export/exportOnnx';
import { readTfjsWeights } from '../../../src/core/export/tfjsWeights';
import { parseDesign } from '../../../src/core/format/parseDesign';
import { decodeOnnxModel, encodeOnnxModel } from '../../../src/core/onnx/onnxModel';
import { designPathFor, importedDesignFiles, weightsFolderFor } from '../../../src/extension/models/importedDesignFiles';
import { IMPORTED_READ_ONLY_REASON, importedModelMessage, importModelFile } from '../../../src/extension/models/importModelFile';

const example = (name: string) => parseDesign(readFileSync(`examples/${name}.cnn.json`, 'utf8')).design!;

describe('importModelFile: a model file as the design the editor shows', () => {
  for (const name of ['lenet5', 'resnet18']) {
    it(`an ONNX export of ${name} comes back with the same shapes and parameter counts, and its weights`, () => {
      const design = example(name);
      const imported = importModelFile(exportOnnx(compileGraph(design)), `${name}.onnx`);
      assert.ok(imported.ok, imported.ok ? '' : `${imported.title}: ${JSON.stringify(imported.problems)}`);
      const shown = analyzeDocument(imported.designText);
      assert.ok(shown.analysis, 'the text the editor receives parses and analyzes');
      const original = analyzeDesign(design);
      assert.equal(shown.analysis.totals.params, original.totals.params);
      assert.deepEqual(shown.analysis.totals.outputShapes, original.totals.outputShapes);
      assert.equal(shown.analysis.totals.macs, original.totals.macs);
      assert.equal(imported.weights.reduce((n, w) => n + w.data.length, 0), original.totals.params);
    });
  }

  it('a truncated ONNX file is a failure saying so, not an exception', () => {
    const bytes = exportOnnx(compileGraph(example('lenet5')));
    const imported = importModelFile(bytes.subarray(0, Math.floor(bytes.length / 2)), 'cut.onnx');
    assert.equal(imported.ok, false);
    if (imported.ok) return;
    assert.match(imported.title, /cut\.onnx/);
    assert.equal(imported.problems.length, 1);
    assert.match(imported.problems[0].message, /Not a readable ONNX file/);
    assert.equal(imported.problems[0].location, undefined, 'a problem of the whole file has no node');
  });

  it('an operator the designer cannot represent is named with its node, operator and position', () => {
    const model = decodeOnnxModel(exportOnnx(compileGraph(example('lenet5'))));
    const index = model.graph.nodes.findIndex((n) => n.opType === 'MaxPool' || n.opType === 'AveragePool');
    assert.ok(index >= 0, 'LeNet-5 pools');
    model.graph.nodes[index] = { ...model.graph.nodes[index], opType: 'LpPool', name: '/s2/LpPool' };
    const imported = importModelFile(encodeOnnxModel(model), 'lp.onnx');
    assert.equal(imported.ok, false);
    if (imported.ok) return;
    const problem = imported.problems.find((p) => p.location?.includes('LpPool'));
    assert.ok(problem, JSON.stringify(imported.problems));
    assert.equal(problem.location, `node ${index + 1} "/s2/LpPool" (LpPool)`);
  });

  it('a Keras / TF.js model.json comes in as its design, without weights', () => {
    const layer = (name: string, className: string, config: Record<string, unknown>, inbound?: string) => ({ name, class_name: className, config: { name, ...config }, inbound_nodes: inbound ? [[[inbound, 0, 0, {}]]] : [] });
    const layers = [
      layer('in', 'InputLayer', { batch_input_shape: [null, 28, 28, 1] }),
      layer('conv', 'Conv2D', { filters: 8, kernel_size: [3, 3], padding: 'valid', activation: 'relu' }, 'in'),
      layer('flat', 'Flatten', {}, 'conv'),
      layer('out', 'Dense', { units: 10, activation: 'softmax' }, 'flat'),
    ];
    const json = JSON.stringify({ modelTopology: { class_name: 'Model', config: { name: 'tiny', layers, input_layers: [['in', 0, 0]], output_layers: [['out', 0, 0]] } } });
    const imported = importModelFile(new TextEncoder().encode(json), 'model.json');
    assert.ok(imported.ok, imported.ok ? '' : JSON.stringify(imported.problems));
    assert.deepEqual(imported.design.nodes.map((n) => n.type), ['Input', 'Conv2D', 'Flatten', 'Dense']);
    // 3·3·1·8 + 8, then 26·26·8·10 + 10.
    assert.equal(analyzeDesign(imported.design).totals.params, 80 + 54_090);
    assert.deepEqual(imported.weights, []);
  });

  it('a model.json layer the designer lacks is named with its position and class', () => {
    const json = JSON.stringify({
      modelTopology: {
        class_name: 'Model',
        config: {
          name: 'm',
          layers: [
            { name: 'in', class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 8, 8, 3] }, inbound_nodes: [] },
            { name: 'sep', class_name: 'SeparableConv2D', config: { name: 'sep', filters: 4, kernel_size: [3, 3] }, inbound_nodes: [[['in', 0, 0, {}]]] },
          ],
          input_layers: [],
          output_layers: [],
        },
      },
    });
    const imported = importModelFile(new TextEncoder().encode(json), 'model.json');
    assert.equal(imported.ok, false);
    if (!imported.ok) assert.deepEqual(imported.problems.map((p) => p.location), ['layer 2 "sep" (SeparableConv2D)']);
  });

  it('a file that is not a model at all is a failure with the reason', () => {
    const imported = importModelFile(new TextEncoder().encode('not json'), 'model.json');
    assert.equal(imported.ok, false);
    if (!imported.ok) assert.match(imported.problems[0].message, /Not a model\.json/);
  });
});

describe('importedModelMessage: what the editor is told', () => {
  it('a model that imports is its design text, read-only with the reason, offering Save as design', () => {
    const imported = importModelFile(exportOnnx(compileGraph(example('lenet5'))), 'lenet5.onnx');
    assert.ok(imported.ok);
    assert.deepEqual(importedModelMessage(imported, '/w/lenet5.onnx', 3), {
      type: 'document',
      text: imported.designText,
      version: 3,
      fileName: '/w/lenet5.onnx',
      readOnly: true,
      readOnlyReason: IMPORTED_READ_ONLY_REASON,
      imported: true,
    });
  });

  it('a model that does not import is its title and located problems, never an empty design', () => {
    const failed = importModelFile(new Uint8Array([0x0a, 0xff]), 'bad.onnx');
    const message = importedModelMessage(failed, '/w/bad.onnx', 1);
    assert.equal(message.type, 'importFailed');
    assert.ok(message.type === 'importFailed' && message.problems.length > 0 && message.title.includes('bad.onnx'));
  });
});

describe('importedDesignFiles: what Save as design writes beside the model', () => {
  it('names the design after the model, and a TF.js model.json after its folder', () => {
    assert.equal(designPathFor('/w/nets/resnet50.onnx'), '/w/nets/resnet50.cnn.json');
    assert.equal(designPathFor('/w/nets/ResNet.ONNX'), '/w/nets/ResNet.cnn.json');
    assert.equal(designPathFor('/w/mnist/model.json'), '/w/mnist/mnist.cnn.json');
    assert.equal(designPathFor('/w/classifier.json'), '/w/classifier.cnn.json');
    assert.equal(weightsFolderFor('/w/nets/resnet50.cnn.json'), '/w/nets/resnet50.weights');
  });

  it('writes the design and, for an ONNX model, its weights as a TF.js weights manifest the CLI reads back', () => {
    const design = example('lenet5');
    const imported = importModelFile(exportOnnx(compileGraph(design)), 'lenet5.onnx');
    assert.ok(imported.ok);
    const files = importedDesignFiles('/w/lenet5.cnn.json', 'lenet5.onnx', imported.designText, imported.weights);
    assert.deepEqual(
      files.map((f) => f.path),
      ['/w/lenet5.cnn.json', '/w/lenet5.weights/model.json', '/w/lenet5.weights/weights.bin'],
    );
    assert.equal(new TextDecoder().decode(files[0].content), imported.designText);
    const manifest: unknown = JSON.parse(new TextDecoder().decode(files[1].content));
    const readBack = readTfjsWeights(manifest, (path) => {
      assert.equal(path, './weights.bin');
      return files[2].content;
    });
    assert.deepEqual(
      readBack.map((w) => [w.name, w.shape, Array.from(w.data)]),
      imported.weights.map((w) => [w.name, w.shape, Array.from(w.data)]),
    );
  });

  it('writes only the design when the model brought no weights', () => {
    assert.deepEqual(
      importedDesignFiles('/w/m.cnn.json', 'model.json', '{}', []).map((f) => f.path),
      ['/w/m.cnn.json'],
    );
  });
});
