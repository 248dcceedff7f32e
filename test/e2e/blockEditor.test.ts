// Reusable blocks in the graph editor inside a real VS Code: layers selected on the canvas become a
// block through the command palette, the instance's repeat is set in the inspector, and the totals
// bar and the saved file follow the host's own edit logic.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { planDocumentEdit } from '../../src/extension/planDocumentEdit';
import { STAGES_DESIGN } from '../support/stagesDesign';
import { endToEnd, seedWorkspaceFile } from './support/e2eHooks';
import { GraphEditorView } from './support/graphEditorView';
import { waitFor } from './support/workbenchDriver';

const FILE = seedWorkspaceFile('blocks-edit.cnn.json', STAGES_DESIGN);

const replaced = (text: string, plan: ReturnType<typeof planDocumentEdit>): string => {
  assert.equal(plan.kind, 'replace', plan.kind === 'refused' ? plan.reason : 'the edit changes nothing');
  return plan.kind === 'replace' ? plan.newText : text;
};
const totalParams = (text: string): number => analyzeDocument(text).analysis!.totals.params;

describe('blocks in the graph editor in VS Code', () => {
  it('makes a block of two selected layers from the command palette, sets repeat 2 in the inspector, and the totals bar follows', async () => {
    const { workbench, session } = endToEnd();
    // What the host's edit logic makes of the same two intentions: the file must end up so.
    const made = replaced(STAGES_DESIGN, planDocumentEdit(STAGES_DESIGN, { kind: 'makeBlock', nodeIds: ['conv', 'relu'] }));
    const instance = analyzeDocument(made).parsed.design!.nodes.find((n) => n.type === 'Block')!.id;
    const repeated = replaced(made, planDocumentEdit(made, { kind: 'setRepeat', nodeId: instance, repeat: 2 }));
    assert.equal(totalParams(made), totalParams(STAGES_DESIGN), 'a block computes what its layers did');
    assert.ok(totalParams(repeated) > totalParams(made), 'a second copy adds parameters');

    await workbench.openFromExplorer(FILE);
    const editor = await GraphEditorView.find(workbench);
    const totalShown = async (): Promise<string | null> => editor.frame.locator('[data-testid=total-params]').getAttribute('data-value');
    assert.equal(await totalShown(), String(totalParams(STAGES_DESIGN)));

    await editor.block('conv').locator('[data-testid=block-title]').click();
    await editor.block('relu').locator('[data-testid=block-title]').click({ modifiers: ['Control'] });
    await editor.frame.locator('[data-testid=inspector-multi]').waitFor({ state: 'visible' });
    await workbench.runCommand('CNN Designer: Make Block from Selection');
    await editor.block(instance).waitFor({ state: 'visible' });
    await waitFor('the selected layers to leave the canvas', async () => ((await editor.block('conv').count()) === 0 ? true : undefined));
    assert.equal(await totalShown(), String(totalParams(STAGES_DESIGN)), 'the same model');
    await workbench.screenshot('blocks-made-from-selection');

    // The new instance is selected; its inspector sets the stage's repeat.
    await editor.frame.locator('[data-testid=inspector-instance]').waitFor({ state: 'visible' });
    const repeat = editor.field('inspector-repeat');
    await repeat.fill('2');
    await repeat.press('Enter');
    await waitFor(`the totals bar to show ${totalParams(repeated)} parameters`, async () => ((await totalShown()) === String(totalParams(repeated)) ? true : undefined));
    await waitFor('the stage badge', async () => ((await editor.block(instance).locator('[data-testid=block-repeat]').textContent()) === '×2' ? true : undefined));
    await workbench.screenshot('blocks-repeat-2');

    await workbench.runCommand('File: Save');
    await waitFor('the tab to be clean after saving', async () => ((await workbench.activeTabIsDirty()) ? undefined : true));
    assert.equal(readFileSync(join(session.workspaceDir, FILE), 'utf8'), repeated, 'the file holds exactly what the host edit logic writes');
  });
});
