// The graph editor inside a real VS Code: opened from the explorer, edited through the inspector,
// saved and undone through VS Code, and refusing to touch a file it cannot read.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { formatCount, formatShape } from '../../src/core/summary/formatNumber';
import { planDocumentEdit } from '../../src/extension/planDocumentEdit';
import { endToEnd, seedWorkspaceFile } from './support/e2eHooks';
import { GraphEditorView } from './support/graphEditorView';
import { waitFor } from './support/workbenchDriver';
import { REPOSITORY_ROOT } from './support/workbenchProfile';

const example = (name: string): string => readFileSync(join(REPOSITORY_ROOT, 'examples', name), 'utf8');
const INSPECTOR_ORIGINAL = example('mnist-cnn.cnn.json');
const INSPECTOR_FILE = seedWorkspaceFile('inspector-edit.cnn.json', INSPECTOR_ORIGINAL);
// A missing comma between two nodes, as a hand edit leaves it.
const BROKEN_TEXT = example('lenet5.cnn.json').replace(/\},(\s*\{\s*"id": "c1")/, '}$1');
const BROKEN_FILE = seedWorkspaceFile('broken.cnn.json', BROKEN_TEXT);

describe('graph editor in VS Code', () => {
  it('opens a template from the explorer in the graph editor, every block showing the shape and parameters the core computes', async () => {
    const { workbench, session } = endToEnd();
    const file = 'resnet18.cnn.json';
    await workbench.openFromExplorer(file);
    const editor = await GraphEditorView.find(workbench);
    assert.equal(await workbench.activeTabLabel(), file);
    assert.equal(await workbench.activeEditorIsTextEditor(), false, 'a .cnn.json opens in the graph editor, not the text editor');

    const { parsed, analysis } = analyzeDocument(readFileSync(join(session.workspaceDir, file), 'utf8'));
    assert.ok(parsed.design && analysis, 'the template is a valid design');
    const expected = parsed.design.nodes
      .map((node) => {
        const { outputShape, params } = analysis.nodes[node.id]!;
        return { id: node.id, shape: formatShape(outputShape), paramsText: `${formatCount(params)} params`, params };
      })
      .sort((a, b) => a.id.localeCompare(b.id));
    const shown = (await editor.blocks()).sort((a, b) => a.id.localeCompare(b.id));
    assert.equal(shown.length, parsed.design.nodes.length);
    assert.deepEqual(shown, expected);
    await workbench.screenshot('template-in-graph-editor');
  });

  it('writes an inspector change to disk on save exactly as the host edit logic does, and Ctrl+Z in the canvas restores the previous text', async () => {
    const { workbench, session } = endToEnd();
    const file = INSPECTOR_FILE;
    const path = join(session.workspaceDir, file);
    const original = INSPECTOR_ORIGINAL;
    const nodeId = analyzeDocument(original).parsed.design!.nodes.find((node) => node.type === 'Conv2D')!.id;
    const plan = planDocumentEdit(original, { kind: 'setParams', nodeId, params: { strides: 2 } });
    assert.equal(plan.kind, 'replace');
    const edited = plan.kind === 'replace' ? plan.newText : '';
    const shapeBefore = formatShape(analyzeDocument(original).analysis!.nodes[nodeId]!.outputShape);
    const shapeAfter = formatShape(analyzeDocument(edited).analysis!.nodes[nodeId]!.outputShape);
    assert.notEqual(shapeAfter, shapeBefore);

    await workbench.openFromExplorer(file);
    const editor = await GraphEditorView.find(workbench);
    await editor.select(nodeId);
    await editor.setParameter('strides', '2');
    await editor.waitForBlockShape(nodeId, shapeAfter);
    await waitFor('the tab to show unsaved changes', async () => ((await workbench.activeTabIsDirty()) ? true : undefined));
    assert.equal(readFileSync(path, 'utf8'), original, 'nothing is written before saving');
    await workbench.screenshot('inspector-stride-2-unsaved');

    await workbench.runCommand('File: Save');
    await waitFor('the tab to be clean after saving', async () => ((await workbench.activeTabIsDirty()) ? undefined : true));
    assert.equal(readFileSync(path, 'utf8'), edited);

    await editor.focusCanvas();
    await workbench.page.keyboard.press('Control+z');
    await editor.waitForBlockShape(nodeId, shapeBefore);
    await waitFor('the undone text to be unsaved', async () => ((await workbench.activeTabIsDirty()) ? true : undefined));
    await workbench.runCommand('File: Save');
    await waitFor('the tab to be clean again', async () => ((await workbench.activeTabIsDirty()) ? undefined : true));
    assert.equal(readFileSync(path, 'utf8'), original, 'undo restored the previous text byte for byte');
    await workbench.screenshot('inspector-undone-and-saved');
  });

  it('shows a file that is not valid JSON as the error view and leaves it byte for byte unchanged', async () => {
    const { workbench, session } = endToEnd();
    const file = BROKEN_FILE;
    const path = join(session.workspaceDir, file);
    const broken = BROKEN_TEXT;
    const syntaxError = analyzeDocument(broken).parsed.syntaxError;
    assert.ok(syntaxError, 'the core reads the file as invalid JSON');
    assert.ok(readFileSync(path).equals(Buffer.from(broken)), 'the workspace holds the broken text before the editor opens it');

    await workbench.openFromExplorer(file);
    const errorView = await workbench.webviewFrame('[data-testid=error-view]');
    assert.equal(await workbench.activeEditorIsTextEditor(), false);
    const location = errorView.locator('[data-testid=error-location]');
    assert.equal(await location.getAttribute('data-line'), String(syntaxError.line));
    assert.equal(await location.getAttribute('data-column'), String(syntaxError.column));
    assert.equal(await errorView.locator('[data-testid=canvas]').count(), 0, 'no canvas to edit a file that could not be read');
    await workbench.screenshot('invalid-json-error-view');

    await workbench.closeAllEditors();
    assert.ok(readFileSync(path).equals(Buffer.from(broken)), 'the file is unchanged after the editor closed');
  });
});
