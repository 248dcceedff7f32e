// "Export to ONNX…" without VS Code: which weights it offers, when it refuses, and that a run's
// weights reach the file.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileGraph } from '../../../src/core/export/compileGraph';
import { exportOnnx } from '../../../src/core/export/exportOnnx';
import { tfjsWeightFiles } from '../../../src/core/export/tfjsWeights';
import { parseDesign } from '../../../src/core/format/parseDesign';
import { importOnnx } from '../../../src/core/import/importOnnx';
import { decodeOnnxModel } from '../../../src/core/onnx/onnxModel';
import { onnxExportFile, onnxExportRefusal, onnxWeightsChoices } from '../../../src/extension/models/onnxExportFile';
import type { RunSummary } from '../../../src/protocol/trainingPanelProtocol';

const LENET = readFileSync('examples/lenet5.cnn.json', 'utf8');

const run = (name: string, status: RunSummary['status'], epochs: number, accuracy: Partial<Pick<RunSummary, 'testAccuracy' | 'validationAccuracy'>> = {}): RunSummary =>
  ({ name, status, dataset: 'mnist', curves: Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, trainLoss: 1 })), ...accuracy }) as unknown as RunSummary;

describe('onnxExportFile: Export to ONNX… of a design or of a run', () => {
  it('offers the runs that trained, newest first, then untrained weights; a run training now is left out', () => {
    const choices = onnxWeightsChoices([
      run('2026-01-01T10-00-00Z', 'completed', 3, { testAccuracy: 0.981 }),
      run('2026-01-02T10-00-00Z', 'cancelled', 1, { validationAccuracy: 0.5 }),
      run('2026-01-03T10-00-00Z', 'unfinished', 0),
      run('2026-01-04T10-00-00Z', 'running', 2),
    ]);
    assert.deepEqual(
      choices.map((c) => c.runName),
      ['2026-01-02T10-00-00Z', '2026-01-01T10-00-00Z', undefined],
    );
    assert.match(choices[1].description, /completed · 3 epochs · mnist · test accuracy 98\.1 %/);
    assert.match(choices[0].description, /validation accuracy 50\.0 %/);
    assert.equal(choices[2].label, 'Untrained weights');
    assert.deepEqual(onnxWeightsChoices([]).map((c) => c.label), ['Untrained weights']);
  });

  it('refuses a design with errors, naming the first with its place', () => {
    assert.equal(onnxExportRefusal(LENET), undefined);
    const broken = LENET.replace(/"filters": 6/, '"filters": -6');
    const refusal = onnxExportRefusal(broken);
    assert.ok(refusal, 'a negative filter count is an error');
    assert.match(refusal, /^the design has 1 error; line \d+/);
    assert.match(onnxExportRefusal('{ not json') ?? '', /error/);
  });

  it("writes a run's trained weights into the model, for the design as the run trained it", () => {
    // A "run" whose weights are known: the ONNX import of a seeded export brings the weights in the
    // training's layout, and a seed the default export does not use makes them differ from untrained ones.
    const trained = importOnnx(exportOnnx(compileGraph(parseDesign(LENET).design!), { seed: 7 }), 'LeNet-5');
    assert.ok(trained.design);
    const folder = mkdtempSync(join(tmpdir(), 'cnn-onnx-run-'));
    try {
      const { modelJson, bin } = tfjsWeightFiles(trained.weights, 'test');
      mkdirSync(join(folder, 'model'));
      writeFileSync(join(folder, 'model', 'model.json'), modelJson);
      writeFileSync(join(folder, 'model', 'weights.bin'), bin);
      writeFileSync(join(folder, 'design.cnn.json'), JSON.stringify(trained.design));

      const fromRun = decodeOnnxModel(onnxExportFile({ runFolder: folder }).bytes);
      const expected = decodeOnnxModel(exportOnnx(compileGraph(trained.design), { seed: 7 }));
      const untrained = decodeOnnxModel(onnxExportFile({ design: trained.design }).bytes);
      const values = (m: typeof fromRun) => m.graph.initializers.filter((t) => t.floats && t.floats.length > 1).map((t) => [t.name, Array.from(t.floats!)]);
      assert.deepEqual(values(fromRun), values(expected), 'the run\'s weights, as the seed-7 export holds them');
      assert.notDeepEqual(values(untrained), values(expected), 'untrained weights are not the run\'s');

      rmSync(join(folder, 'model'), { recursive: true });
      assert.throws(() => onnxExportFile({ runFolder: folder }), /no saved model/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
