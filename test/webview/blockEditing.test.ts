import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { parseDesign } from '../../src/core/format/parseDesign';
import { formatShape } from '../../src/core/summary/formatNumber';
import { STAGES_DESIGN } from '../support/stagesDesign';
import { EditorPage, launchEditorChromium } from './editorPage';

const totalOf = (text: string): number => analyzeDesign(parseDesign(text).design!).totals.params;

describe('blocks in the graph editor webview (Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;

  before(async () => {
    browser = await launchEditorChromium();
  });
  after(async () => browser?.close());

  it('makes a block of the selected layers, repeats it, opens it with its shapes and a breadcrumb, and edits a layer inside', async () => {
    const editor = await EditorPage.open(browser, STAGES_DESIGN);
    const makeBlock = editor.page.getByTestId('toolbar-make-block');
    assert.equal(await makeBlock.getAttribute('disabled'), '', 'nothing selected: nothing to make a block of');
    await editor.block('conv').click();
    await editor.block('relu').click({ modifiers: ['Control'] });
    await editor.page.getByTestId('inspector-multi').waitFor();
    const before = totalOf(await editor.text());
    let version = await editor.version();
    await makeBlock.click();
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'makeBlock', nodeIds: ['conv', 'relu'] });
    const made = parseDesign(await editor.text()).design!;
    assert.deepEqual(Object.keys(made.blocks ?? {}), ['Block']);
    const instance = made.nodes.find((n) => n.type === 'Block')!.id;
    await editor.block(instance).waitFor();
    assert.equal(await editor.block('conv').count(), 0, 'the layers moved into the block');
    assert.equal(await editor.page.getByTestId('total-params').getAttribute('data-value'), String(before), 'the model is the same');
    assert.equal(await editor.blockShape(instance), '16×16×8');

    // The new instance is selected: its inspector sets repeat, and the totals follow.
    await editor.page.getByTestId('inspector-instance').waitFor();
    await editor.field('inspector-repeat').fill('3');
    version = await editor.version();
    await editor.field('inspector-repeat').press('Enter');
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'setRepeat', nodeId: instance, repeat: 3 });
    const repeated = totalOf(await editor.text());
    assert.ok(repeated > before, `${repeated} parameters after repeat 3, ${before} before`);
    await editor.page.waitForFunction((v) => document.querySelector('[data-testid=total-params]')?.getAttribute('data-value') === String(v), repeated);
    assert.equal(await editor.block(instance).getByTestId('block-repeat').textContent(), '×3');
    assert.equal(await editor.block(instance).getAttribute('data-repeat'), '3');
    await editor.screenshot('blocks-1-stage');

    // Opened: the block's layers with the first copy's shapes, its ports, and the way back.
    await editor.block(instance).dblclick();
    await editor.page.getByTestId('breadcrumb').waitFor();
    assert.equal(await editor.page.getByTestId('breadcrumb-block').textContent(), `Block (${instance})`);
    assert.equal(await editor.page.getByTestId('breadcrumb-design').textContent(), 'Stages');
    await editor.block('conv').waitFor();
    const analysis = analyzeDesign(parseDesign(await editor.text()).design!);
    assert.equal(await editor.blockShape('conv'), formatShape(analysis.nodes[`${instance}.0.conv`].outputShape));
    assert.equal(await editor.blockParams('conv'), analysis.nodes[`${instance}.0.conv`].params);
    assert.equal(await editor.blockShape('x'), '16×16×3', 'the input port shows what enters the instance');
    assert.equal(await editor.blockShape('out'), '16×16×8');
    await editor.screenshot('blocks-2-opened');

    // A layer's parameter, edited inside, changes the block's definition.
    await editor.block('conv').click();
    await editor.page.getByTestId('inspector-block-node').waitFor();
    await editor.field('param-input-filters').fill('4');
    version = await editor.version();
    await editor.field('param-input-filters').press('Enter');
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'setBlockNodeParams', block: 'Block', nodeId: 'conv', params: { filters: 4 } });
    assert.equal(parseDesign(await editor.text()).design!.blocks!.Block.nodes[0].params.filters, 4);
    assert.equal(await editor.blockShape('conv'), '16×16×4');

    await editor.page.getByTestId('breadcrumb-design').click();
    await editor.page.getByTestId('breadcrumb').waitFor({ state: 'detached' });
    await editor.block(instance).waitFor();
    assert.equal(await editor.block('conv').count(), 0);
    assert.deepEqual(await editor.page.evaluate(() => window.harness.rejected), []);
    await editor.close();
  });

  it('says why a selection cannot become a block', async () => {
    const editor = await EditorPage.open(browser, STAGES_DESIGN);
    await editor.block('input').click();
    await editor.block('conv').click({ modifiers: ['Control'] });
    await editor.page.getByTestId('toolbar-make-block').click();
    await editor.page.locator('.cnn-toast', { hasText: 'Input' }).waitFor();
    assert.equal(parseDesign(await editor.text()).design!.blocks, undefined);
    await editor.close();
  });
});
