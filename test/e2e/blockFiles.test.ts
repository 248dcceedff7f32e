// A design taking a block from another file: the Problems panel follows that file as it appears.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { endToEnd, seedWorkspaceFile } from './support/e2eHooks';
import { GraphEditorView } from './support/graphEditorView';
import { waitFor } from './support/workbenchDriver';

const LIBRARY_NAME = 'e2e-block-library.cnn.json';
const LIBRARY_TEXT = `${JSON.stringify(
  {
    format: 'cnn-designer',
    version: 1,
    name: 'Block library',
    blocks: {
      ConvRelu: {
        params: { width: { default: 8 } },
        inputs: ['x'],
        outputs: ['out'],
        nodes: [{ id: 'conv', type: 'Conv2D', params: { filters: '$width', kernelSize: 3, padding: 'same', activation: 'relu' } }],
        edges: [
          { source: 'x', target: 'conv' },
          { source: 'conv', target: 'out' },
        ],
      },
    },
    nodes: [],
    edges: [],
  },
  null,
  2,
)}\n`;
const DESIGN_TEXT = `{
  "format": "cnn-designer",
  "version": 1,
  "name": "Uses a block of another file",
  "blocks": {
    "ConvRelu": { "from": "./${LIBRARY_NAME}" }
  },
  "nodes": [
    { "id": "input", "type": "Input", "params": { "shape": [16, 16, 3] } },
    { "id": "features", "type": "ConvRelu", "params": { "width": 8 } },
    { "id": "flatten", "type": "Flatten", "params": {} },
    { "id": "output", "type": "Dense", "params": { "units": 10 } }
  ],
  "edges": [
    { "source": "input", "target": "features" },
    { "source": "features", "target": "flatten" },
    { "source": "flatten", "target": "output" }
  ],
  "training": {}
}
`;
const DESIGN_FILE = seedWorkspaceFile('uses-block-of-another-file.cnn.json', DESIGN_TEXT);

describe('Blocks from another file in VS Code', () => {
  it('shows a missing block file at the "from" line, and drops the problem once the file is written', async () => {
    const { workbench, session } = endToEnd();
    const [expected, ...others] = analyzeDocument(DESIGN_TEXT, { blockFiles: new Map() }).diagnostics;
    assert.equal(expected?.code, 'block-file-not-found');
    assert.deepEqual(others, []);
    assert.equal(analyzeDocument(DESIGN_TEXT, { blockFiles: new Map([[LIBRARY_NAME, LIBRARY_TEXT]]) }).diagnostics.length, 0, 'with the file, the design has no problem');

    await workbench.openFromExplorer(DESIGN_FILE);
    await GraphEditorView.find(workbench);
    const row = await waitFor('the missing block file in the Problems panel', async () => (await workbench.problems()).find((label) => label.includes(`There is no file ./${LIBRARY_NAME}`)));
    assert.match(row, new RegExp(`\\b${expected.line}\\b`), `the problem is placed at line ${expected.line}: ${row}`);

    writeFileSync(join(session.workspaceDir, LIBRARY_NAME), LIBRARY_TEXT);
    await waitFor('the problem gone once the file exists', async () => ((await workbench.problems()).some((label) => label.includes(LIBRARY_NAME)) ? undefined : true));
    await workbench.screenshot('problems-panel-block-file');
  });
});
