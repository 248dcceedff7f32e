// The extension's commands in VS Code: a new design from a template, its summary table, and the
// code export.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { exportDesign } from '../../src/core/export/exportDesign';
import { formatSummary } from '../../src/core/summary/formatSummary';
import { endToEnd } from './support/e2eHooks';
import { GraphEditorView } from './support/graphEditorView';
import { waitFor } from './support/workbenchDriver';
import { REPOSITORY_ROOT } from './support/workbenchProfile';

describe('CNN Designer commands in VS Code', () => {
  it('New CNN Design from a template creates a file and opens it in the graph editor; Show Summary opens its table', async () => {
    const { workbench, session } = endToEnd();
    const template = readFileSync(join(REPOSITORY_ROOT, 'examples', 'lenet5.cnn.json'), 'utf8');
    // The workspace already holds lenet5.cnn.json, so the new design takes the next free name.
    const created = join(session.workspaceDir, 'lenet5-2.cnn.json');
    assert.equal(existsSync(created), false);

    await workbench.runCommand('CNN Designer: New CNN Design');
    await workbench.pickQuickInputItem('LeNet-5');
    const editor = await GraphEditorView.find(workbench);
    assert.equal(await workbench.activeTabLabel(), 'lenet5-2.cnn.json');
    assert.equal(await editor.blockShape('c1'), '28×28×6');
    await workbench.screenshot('new-design-from-template');

    await workbench.runCommand('File: Save');
    // The untitled design already carries its path, so VS Code saves it there; a VS Code that asks
    // anyway proposes that path, which is accepted.
    const pathInput = workbench.page.locator('.quick-input-widget .quick-input-box input');
    await waitFor('the new design on disk', async () => {
      if (existsSync(created)) return true;
      if ((await pathInput.isVisible()) && (await pathInput.inputValue()).endsWith('lenet5-2.cnn.json')) await pathInput.press('Enter');
      return undefined;
    });
    await waitFor('the saved design to be clean', async () => ((await workbench.activeTabIsDirty()) ? undefined : true));
    assert.equal(readFileSync(created, 'utf8'), template);

    await GraphEditorView.find(workbench);
    await workbench.runCommand('CNN Designer: Show Summary');
    const { parsed, analysis, diagnostics } = analyzeDocument(template);
    const expected = `${parsed.design!.name}\n\n${formatSummary(parsed.design!, analysis!, diagnostics)}\n`.split('\n');
    const shown = await waitFor('the summary table', async () => {
      const lines = await workbench.activeTextEditorLines('lenet5-2 summary.txt');
      return lines.some((line) => line.startsWith('Total params')) ? lines : undefined;
    });
    assert.deepEqual(shown, expected.slice(0, shown.length));
    assert.ok(shown.length >= expected.indexOf(expected.find((line) => line.startsWith('Total params'))!) + 1);
    await workbench.screenshot('summary-table');
  });

  it('Export Code to PyTorch opens the generated module next to the design', async () => {
    const { workbench, session } = endToEnd();
    const file = 'mnist-cnn.cnn.json';
    const design = analyzeDocument(readFileSync(join(session.workspaceDir, file), 'utf8')).parsed.design!;
    const [module, ...others] = exportDesign(design, 'pytorch', { trainScript: false }).files;
    assert.ok(module);
    assert.deepEqual(others, [], 'a plain PyTorch export is one file');

    await workbench.openFromExplorer(file);
    await GraphEditorView.find(workbench);
    await workbench.runCommandAndPick('CNN Designer: Export Code', 'PyTorch');
    const expected = module.code.split('\n');
    const shown = await waitFor(`${module.fileName} in an editor`, async () => {
      const lines = await workbench.activeTextEditorLines(module.fileName);
      return lines.some((line) => line.startsWith('class ')) ? lines : undefined;
    });
    assert.deepEqual(shown, expected.slice(0, shown.length), 'the editor shows the exported code, line for line');
    assert.ok(await workbench.page.locator('.statusbar-item', { hasText: /^Python$/ }).first().isVisible(), 'the code is shown as Python');
    await workbench.screenshot('export-pytorch');
  });
});
