// Diagnostics reach VS Code's Problems panel, located in the file, while the design is open.
import { strict as assert } from 'node:assert';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { endToEnd, seedWorkspaceFile } from './support/e2eHooks';
import { GraphEditorView } from './support/graphEditorView';
import { waitFor } from './support/workbenchDriver';

// 28 − 3 is odd, so a stride of 2 leaves the last row and column unseen.
const STRIDE_TEXT = `{
  "format": "cnn-designer",
  "version": 1,
  "name": "Stride that does not fit",
  "nodes": [
    { "id": "input", "type": "Input", "params": { "shape": [28, 28, 1] } },
    { "id": "conv", "type": "Conv2D", "params": { "filters": 8, "kernelSize": 3, "strides": 2 } },
    { "id": "flatten", "type": "Flatten", "params": {} },
    { "id": "output", "type": "Dense", "params": { "units": 10 } }
  ],
  "edges": [
    { "source": "input", "target": "conv" },
    { "source": "conv", "target": "flatten" },
    { "source": "flatten", "target": "output" }
  ],
  "training": {}
}
`;
const STRIDE_FILE = seedWorkspaceFile('stride-does-not-fit.cnn.json', STRIDE_TEXT);

describe('Problems panel in VS Code', () => {
  it('lists the diagnostic for a stride that does not fit, at its line', async () => {
    const { workbench } = endToEnd();
    const [expected, ...others] = analyzeDocument(STRIDE_TEXT).diagnostics;
    assert.equal(expected?.code, 'stride-does-not-fit');
    assert.deepEqual(others, [], 'the design has exactly one problem');

    await workbench.openFromExplorer(STRIDE_FILE);
    await GraphEditorView.find(workbench);
    const row = await waitFor('the stride problem in the Problems panel', async () => {
      const rows = await workbench.problems();
      return rows.find((label) => label.includes(expected.message));
    });
    assert.match(row, new RegExp(`\\b${expected.line}\\b`), `the problem is placed at line ${expected.line}: ${row}`);
    assert.match(row, /warning/i);
    await workbench.screenshot('problems-panel-stride');
  });
});
