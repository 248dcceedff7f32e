// An ONNX model opened in VS Code: the graph editor shows the design it imports as, read-only, with
// the shapes the core computes, and "Save as design" writes that design beside the model.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { compileGraph } from '../../src/core/export/compileGraph';
import { exportOnnx } from '../../src/core/export/exportOnnx';
import { parseDesign } from '../../src/core/format/parseDesign';
import { formatShape } from '../../src/core/summary/formatNumber';
import { importModelFile } from '../../src/extension/models/importModelFile';
import { endToEnd, seedWorkspaceFile } from './support/e2eHooks';
import { GraphEditorView } from './support/graphEditorView';
import { waitFor } from './support/workbenchDriver';
import { REPOSITORY_ROOT } from './support/workbenchProfile';

// The model is the core exporter's ONNX of an example design, as `cnn-designer export --to onnx` writes it.
const EXAMPLE = parseDesign(readFileSync(join(REPOSITORY_ROOT, 'examples', 'lenet5.cnn.json'), 'utf8')).design!;
const MODEL_BYTES = exportOnnx(compileGraph(EXAMPLE));
const MODEL_FILE = seedWorkspaceFile('lenet5-model.onnx', MODEL_BYTES);

describe('ONNX models in VS Code', () => {
  it('opens an .onnx file read-only in the graph editor with every layer\'s shape, and saves it as a design', async () => {
    const { workbench, session } = endToEnd();
    const imported = importModelFile(MODEL_BYTES, MODEL_FILE);
    assert.ok(imported.ok, 'the example exports to an ONNX model the importer reads');
    const analysis = analyzeDesign(imported.design);
    const expected = imported.design.nodes.map((node) => ({ id: node.id, shape: formatShape(analysis.nodes[node.id]!.outputShape) })).sort((a, b) => a.id.localeCompare(b.id));

    await workbench.openFromExplorer(MODEL_FILE);
    const editor = await GraphEditorView.find(workbench);
    assert.equal(await workbench.activeTabLabel(), MODEL_FILE);
    const shown = await waitFor('every imported layer on the canvas', async () => {
      const blocks = await editor.blocks();
      return blocks.length === expected.length ? blocks : undefined;
    });
    assert.deepEqual(
      shown.map((b) => ({ id: b.id, shape: b.shape })).sort((a, b) => a.id.localeCompare(b.id)),
      expected,
    );
    const banner = editor.frame.locator('[data-testid=readonly-banner]');
    assert.match((await banner.textContent()) ?? '', /Read-only/);
    await workbench.screenshot('onnx-model-read-only');

    await editor.frame.locator('[data-testid=save-as-design]').click();
    const saved = join(session.workspaceDir, 'lenet5-model.cnn.json');
    await waitFor('the saved design and its weights on disk', async () => (existsSync(saved) && existsSync(join(session.workspaceDir, 'lenet5-model.weights', 'weights.bin')) ? true : undefined));
    assert.equal(readFileSync(saved, 'utf8'), imported.designText);
    await waitFor('the saved design in the graph editor', async () => ((await workbench.activeTabLabel()) === 'lenet5-model.cnn.json' ? true : undefined));
  });
});
