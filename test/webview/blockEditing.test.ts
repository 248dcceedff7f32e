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

    // Structure edits inside: a layer from the palette goes into the block, after the selected layer.
    const totalShown = (): Promise<string | null> => editor.page.getByTestId('total-params').getAttribute('data-value');
    const beforeAdd = totalOf(await editor.text());
    assert.equal(await totalShown(), String(beforeAdd));
    await editor.block('relu').click();
    version = await editor.version();
    await editor.page.getByTestId('palette-item-Conv2D').dblclick();
    await editor.waitForEditAfter(version);
    const addIntention = (await editor.edits()).at(-1)!;
    assert.ok(addIntention.kind === 'addLayer' && addIntention.block === 'Block' && addIntention.connectFrom === 'relu', JSON.stringify(addIntention));
    const grown = parseDesign(await editor.text()).design!;
    const added = grown.blocks!.Block.nodes.at(-1)!;
    assert.equal(added.type, 'Conv2D');
    assert.equal(grown.nodes.length, made.nodes.length, "the design's own layers stay");
    await editor.block(added.id).waitFor();
    const withAdded = totalOf(await editor.text());
    assert.ok(withAdded > beforeAdd, `${withAdded} parameters with a Conv2D in each of the three copies, ${beforeAdd} before`);
    await editor.page.waitForFunction((v) => document.querySelector('[data-testid=total-params]')?.getAttribute('data-value') === String(v), withAdded);

    // Wired to the block's output port, it replaces relu → out.
    version = await editor.version();
    await editor.connect(added.id, 'out');
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'connect', source: added.id, target: 'out', block: 'Block' });
    assert.deepEqual(parseDesign(await editor.text()).design!.blocks!.Block.edges.filter((e) => e.target === 'out'), [{ source: added.id, target: 'out' }]);

    // Deleted with the Delete key, it takes its wires along; relu wired back to the port restores the model.
    await editor.block(added.id).click();
    version = await editor.version();
    await editor.page.keyboard.press('Delete');
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'delete', nodeIds: [added.id], edges: [], block: 'Block' });
    await editor.block(added.id).waitFor({ state: 'detached' });
    version = await editor.version();
    await editor.connect('relu', 'out');
    await editor.waitForEditAfter(version);
    assert.equal(totalOf(await editor.text()), beforeAdd);
    await editor.page.waitForFunction((v) => document.querySelector('[data-testid=total-params]')?.getAttribute('data-value') === String(v), beforeAdd);
    await editor.screenshot('blocks-3-edited-inside');

    await editor.page.getByTestId('breadcrumb-design').click();
    await editor.page.getByTestId('breadcrumb').waitFor({ state: 'detached' });
    await editor.block(instance).waitFor();
    assert.equal(await editor.block('conv').count(), 0);
    assert.deepEqual(await editor.page.evaluate(() => window.harness.rejected), []);
    await editor.close();
  });

  it('opens a block nested in an opened block, with a breadcrumb of every level, and adds a layer there', async () => {
    const inner = { params: {}, inputs: ['x'], outputs: ['out'], nodes: [{ id: 'conv', type: 'Conv2D', params: { filters: 4, kernelSize: 3, padding: 'same' } }], edges: [{ source: 'x', target: 'conv' }, { source: 'conv', target: 'out' }] };
    const outer = { params: {}, inputs: ['x'], outputs: ['out'], nodes: [{ id: 'in1', type: 'Inner', params: {}, repeat: 2 }], edges: [{ source: 'x', target: 'in1' }, { source: 'in1', target: 'out' }] };
    const nodes = [
      { id: 'input', type: 'Input', params: { shape: [8, 8, 4] }, position: { x: 100, y: 0 } },
      { id: 'o', type: 'Outer', params: {}, position: { x: 100, y: 130 } },
    ];
    const text = JSON.stringify({ format: 'cnn-designer', version: 1, name: 'Nested', blocks: { Inner: inner, Outer: outer }, nodes, edges: [{ source: 'input', target: 'o' }], training: {} }, null, 2) + '\n';
    const editor = await EditorPage.open(browser, text);
    await editor.block('o').dblclick();
    await editor.page.getByTestId('breadcrumb-block').filter({ hasText: 'Outer (o)' }).waitFor();
    await editor.block('in1').dblclick();
    await editor.page.getByTestId('breadcrumb-block').filter({ hasText: 'Inner (in1)' }).waitFor();
    assert.equal(await editor.page.getByTestId('breadcrumb-level').textContent(), 'Outer (o)');
    const analysis = analyzeDesign(parseDesign(text).design!);
    assert.equal(await editor.blockShape('conv'), formatShape(analysis.nodes['o.in1.0.conv'].outputShape));
    assert.equal(await editor.blockParams('conv'), analysis.nodes['o.in1.0.conv'].params);

    const before = totalOf(text);
    await editor.block('conv').click();
    const version = await editor.version();
    await editor.page.getByTestId('palette-item-Conv2D').dblclick();
    await editor.waitForEditAfter(version);
    const intention = (await editor.edits()).at(-1)!;
    assert.ok(intention.kind === 'addLayer' && intention.block === 'Inner' && intention.connectFrom === 'conv', JSON.stringify(intention));
    const after = totalOf(await editor.text());
    assert.ok(after > before, `${after} parameters with a Conv2D in both copies of Inner, ${before} before`);
    await editor.page.waitForFunction((v) => document.querySelector('[data-testid=total-params]')?.getAttribute('data-value') === String(v), after);

    await editor.page.getByTestId('breadcrumb-level').click();
    await editor.page.getByTestId('breadcrumb-block').filter({ hasText: 'Outer (o)' }).waitFor();
    await editor.block('in1').waitFor();
    await editor.page.getByTestId('breadcrumb-design').click();
    await editor.page.getByTestId('breadcrumb').waitFor({ state: 'detached' });
    await editor.block('o').waitFor();
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
