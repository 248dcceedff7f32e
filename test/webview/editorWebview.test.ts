import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { parseDesign } from '../../src/core/format/parseDesign';
import { formatShape } from '../../src/core/summary/formatNumber';
import { cspHarnessUrl, EditorPage, launchEditorChromium, recordCspViolations } from './editorPage';

const example = (name: string): string => readFileSync(`examples/${name}.cnn.json`, 'utf8');

/** Waits until the canvas' pan and zoom have not changed for five frames (a fit animates for 200 ms). */
async function waitForViewportToSettle(editor: EditorPage): Promise<void> {
  await editor.page.evaluate(() => Object.assign(window, { viewportSignature: '', viewportStableFrames: 0 }));
  await editor.page.waitForFunction(
    () => {
      const w = window as unknown as { viewportSignature: string; viewportStableFrames: number };
      const signature = document.querySelector('.react-flow__viewport')?.getAttribute('style') ?? '';
      w.viewportStableFrames = signature === w.viewportSignature ? w.viewportStableFrames + 1 : 0;
      w.viewportSignature = signature;
      return w.viewportStableFrames >= 5;
    },
    undefined,
    { polling: 'raf' },
  );
}

/** The smallest text in any block as drawn on screen: its font size times the canvas' zoom. */
function smallestBlockTextPx(editor: EditorPage): Promise<number> {
  return editor.page.evaluate(() => {
    const zoom = new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform).a;
    const sizes = [...document.querySelectorAll('[data-testid=block] *')]
      .filter((el) => [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== ''))
      .map((el) => parseFloat(getComputedStyle(el).fontSize) * zoom);
    return Math.min(...sizes);
  });
}
const ONLY_INPUT = `{
  "format": "cnn-designer",
  "version": 1,
  "name": "Scratch",
  "nodes": [
    { "id": "input", "type": "Input", "params": { "shape": [28, 28, 1] }, "position": { "x": 100, "y": 40 } }
  ],
  "edges": [],
  "training": {}
}
`;

describe('graph editor webview in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;

  before(async () => {
    browser = await launchEditorChromium();
  });
  after(async () => browser?.close());

  it('drags a Conv2D from the palette, connects it, and a stride change in the inspector updates its shape and parameters', async () => {
    const editor = await EditorPage.open(browser, ONLY_INPUT);
    const canvas = await editor.page.getByTestId('canvas').boundingBox();
    let version = await editor.version();
    await editor.page.getByTestId('palette-item-Conv2D').dragTo(editor.page.getByTestId('canvas'), { targetPosition: { x: canvas!.width / 2, y: canvas!.height / 2 + 120 } });
    await editor.waitForEditAfter(version);
    const added = (await editor.edits()).at(-1);
    assert.equal(added?.kind, 'addLayer');
    assert.equal(added?.kind === 'addLayer' && added.layerType, 'Conv2D');
    await editor.block('conv2d_1').waitFor();
    assert.equal(await editor.blockShape('conv2d_1'), '?', 'unconnected: no shape yet');
    assert.equal(await editor.block('conv2d_1').getAttribute('data-status'), 'error');

    version = await editor.version();
    await editor.connect('input', 'conv2d_1');
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'connect', source: 'input', target: 'conv2d_1' });
    assert.equal(await editor.blockShape('conv2d_1'), '26×26×32');
    assert.equal(await editor.blockParams('conv2d_1'), 320);
    assert.equal(await editor.page.locator('[data-testid=edge-label][data-edge-id="input->conv2d_1"]').textContent(), '28×28×1');
    await editor.screenshot('1-conv2d-connected');

    await editor.block('conv2d_1').click();
    await editor.page.getByTestId('inspector-node').waitFor();
    await editor.field('param-input-strides').fill('2');
    assert.equal(await editor.page.getByTestId('preview-shape-after').textContent(), '13×13×32', 'the effect is shown before it is applied');
    assert.equal(await editor.blockShape('conv2d_1'), '26×26×32', 'nothing applied yet');
    await editor.screenshot('2-stride-preview');
    version = await editor.version();
    await editor.field('param-input-strides').press('Enter');
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'setParams', nodeId: 'conv2d_1', params: { strides: 2 } });
    assert.equal(await editor.blockShape('conv2d_1'), '13×13×32');
    assert.match(await editor.text(), /"strides": 2/);

    await editor.field('param-input-filters').fill('16');
    assert.match((await editor.page.getByTestId('inspector-preview').textContent()) ?? '', /model −160/);
    version = await editor.version();
    await editor.page.getByTestId('inspector-apply').click();
    await editor.waitForEditAfter(version);
    assert.equal(await editor.blockShape('conv2d_1'), '13×13×16');
    assert.equal(await editor.blockParams('conv2d_1'), 160);
    assert.equal(await editor.page.getByTestId('total-params').getAttribute('data-value'), '160');
    assert.match((await editor.page.getByTestId('inspector-formula').first().textContent()) ?? '', /⌊\(28 .*\/ 2⌋ \+ 1 = 13/);
    await editor.screenshot('3-stride-applied');

    await editor.field('param-input-kernelSize').fill('0');
    assert.match((await editor.page.getByTestId('param-error-kernelSize').textContent()) ?? '', /at least 1/);
    assert.deepEqual(await editor.page.evaluate(() => window.harness.rejected), []);
    await editor.close();
  });

  it('shows the VGG16 template with every block at its analyzed shape', async () => {
    const text = example('vgg16');
    const design = parseDesign(text).design!;
    const analysis = analyzeDesign(design);
    const editor = await EditorPage.open(browser, text);
    assert.equal(await editor.page.getByTestId('block').count(), design.nodes.length);
    for (const node of design.nodes) {
      assert.equal(await editor.blockShape(node.id), formatShape(analysis.nodes[node.id].outputShape), node.id);
      assert.equal(await editor.blockParams(node.id), analysis.nodes[node.id].params, node.id);
    }
    // torchvision's VGG16 (ImageNet, 1000 classes): 138,357,544 parameters.
    assert.equal(await editor.page.getByTestId('total-params').getAttribute('data-value'), '138357544');
    assert.equal(await editor.blockShape(analysis.outputIds[0]), '1000');
    await editor.screenshot('4-vgg16');
    assert.equal((await editor.edits()).length, 0, 'showing a design writes nothing');
    await editor.close();
  });

  it('marks a broken shape with its diagnostic and applies the suggested fix in one click', async () => {
    const editor = await EditorPage.open(browser, example('mnist-cnn'));
    await editor.block('conv2').click();
    await editor.field('param-input-kernelSize').fill('20');
    assert.equal(await editor.page.getByTestId('preview-shape-after').textContent(), '?');
    assert.match((await editor.page.getByTestId('preview-problem').first().textContent()) ?? '', /larger than/);
    let version = await editor.version();
    await editor.field('param-input-kernelSize').press('Enter');
    await editor.waitForEditAfter(version);
    assert.equal(await editor.block('conv2').getAttribute('data-status'), 'error');
    assert.equal(await editor.blockShape('conv2'), '?');
    assert.ok(Number(await editor.page.getByTestId('problem-count').getAttribute('data-errors')) >= 1);
    await editor.block('conv2').hover();
    await editor.block('conv2').getByTestId('block-problem').waitFor();
    assert.match((await editor.block('conv2').getByTestId('block-problem').textContent()) ?? '', /window .* larger than .*12×12/);
    await editor.screenshot('5-broken-shape');
    const fix = editor.page.getByTestId('inspector-diagnostic').filter({ hasText: 'larger than' }).getByTestId('fix-button').first();
    const fixTitle = await fix.textContent();
    version = await editor.version();
    await fix.click();
    await editor.waitForEditAfter(version);
    const sent = (await editor.edits()).at(-1);
    assert.equal(sent?.kind, 'applyFix', `sent ${JSON.stringify(sent)} for "${fixTitle}"`);
    assert.equal(await editor.block('conv2').getAttribute('data-status'), 'ok');
    assert.notEqual(await editor.blockShape('conv2'), '?');
    await editor.screenshot('6-fixed');
    await editor.close();
  });

  it('shows a file that does not parse as an error view with line and column, and offers to open it as text', async () => {
    const editor = await EditorPage.open(browser, '{\n  "format": "cnn-designer",\n  "nodes": [\n    { "id": "a" \n  ]\n}\n');
    await editor.page.getByTestId('error-view').waitFor();
    const location = editor.page.getByTestId('error-location');
    assert.equal(await location.getAttribute('data-line'), '5');
    await editor.page.getByTestId('open-as-text').click();
    await editor.page.waitForFunction(() => window.harness.sent.some((m) => m.type === 'command' && m.command === 'openAsText'));
    await editor.screenshot('7-error-view');
    assert.equal((await editor.edits()).length, 0);
    // A structurally broken (but valid JSON) design is not edited either.
    await editor.load('{"format": "cnn-designer", "version": 1, "nodes": [{"id": "x", "type": "Dense", "params": 3}], "edges": []}');
    await editor.page.getByTestId('error-view').waitFor();
    assert.match((await editor.page.getByTestId('error-message').textContent()) ?? '', /params of node "x" must be an object/);
    await editor.close();
  });

  it('re-analyzes for a what-if input size without editing, and colours blocks in heat-map mode', async () => {
    const editor = await EditorPage.open(browser, example('vgg16'));
    const firstConv = parseDesign(example('vgg16')).design!.nodes[1].id;
    assert.equal(await editor.blockShape(firstConv), '224×224×64');
    await editor.field('whatif-input').fill('64, 64, 3');
    await editor.field('whatif-input').press('Enter');
    await editor.page.getByTestId('whatif-banner').waitFor();
    assert.equal(await editor.blockShape(firstConv), '64×64×64');
    assert.equal((await editor.edits()).length, 0, 'what-if never edits');
    await editor.choose('heatmap-mode', 'params');
    await editor.page.getByTestId('block-heat').first().waitFor();
    await editor.waitForCanvasToSettle();
    const style = await editor.page.locator('[data-testid=block]').first().getAttribute('style');
    assert.match(style ?? '', /color-mix/);
    const shares = await editor.page.getByTestId('block-heat').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-share'))));
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 0.01, 'shares of all parameters sum to 1');
    await editor.page.getByTestId('budgets-toggle').click();
    await editor.field('budget-params').fill('1M');
    await editor.field('budget-params').press('Enter');
    // At 64×64 the first dense layer sees a 2×2 map, so VGG16 has about 44 M parameters: far over 1 M.
    const share = Number(await editor.page.getByTestId('gauge-params').getAttribute('data-share'));
    const params = Number(await editor.page.getByTestId('total-params').getAttribute('data-value'));
    assert.ok(Math.abs(share - params / 1e6) < 1e-3, `${share} vs ${params}`);
    assert.match((await editor.page.getByTestId('gauge-params').getAttribute('class')) ?? '', /over/);
    await editor.screenshot('8-whatif-heatmap');
    await editor.page.getByTestId('whatif-reset').click();
    assert.equal(await editor.blockShape(firstConv), '224×224×64');
    await editor.close();
  });

  it('duplicates, copies, pastes and deletes selected blocks through edit intentions', async () => {
    const editor = await EditorPage.open(browser, example('mnist-cnn'));
    await editor.block('conv1').click();
    await editor.block('pool1').click({ modifiers: ['Shift'] });
    assert.equal(await editor.page.getByTestId('inspector-multi').isVisible(), true);
    let version = await editor.version();
    await editor.page.keyboard.press('Control+d');
    await editor.waitForEditAfter(version);
    await editor.block('conv1_copy').waitFor();
    await editor.block('pool1_copy').waitFor();
    assert.equal(await editor.blockShape('pool1_copy'), '?');

    await editor.block('conv2').click();
    await editor.page.keyboard.press('Control+c');
    await editor.page.waitForFunction(() => window.harness.clipboard.includes('"conv2"'));
    version = await editor.version();
    await editor.page.keyboard.press('Control+v');
    await editor.waitForEditAfter(version);
    await editor.block('conv2_copy').waitFor();

    version = await editor.version();
    await editor.page.keyboard.press('Delete');
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'delete', nodeIds: ['conv2_copy'], edges: [] });
    assert.equal(await editor.block('conv2_copy').count(), 0);

    // A connection is selected by clicking it (under its shape label) and deleted the same way.
    const label = (await editor.page.locator('[data-testid=edge-label][data-edge-id="relu1->conv2"]').boundingBox())!;
    await editor.page.keyboard.press('Escape');
    await editor.page.mouse.click(label.x + label.width / 2, label.y + label.height / 2);
    version = await editor.version();
    await editor.page.keyboard.press('Delete');
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'delete', nodeIds: [], edges: [{ source: 'relu1', target: 'conv2' }] });
    assert.equal(await editor.blockShape('conv2'), '?');
    await editor.close();
  });

  it('moves a selected block with the arrow keys and writes the move when the key is released', async () => {
    const editor = await EditorPage.open(browser, example('mnist-cnn'));
    await editor.block('conv1').click();
    const version = await editor.version();
    await editor.block('conv1').focus();
    await editor.page.keyboard.press('ArrowRight');
    await editor.waitForEditAfter(version);
    const move = (await editor.edits()).at(-1);
    assert.ok(move?.kind === 'move' && Object.keys(move.positions).join() === 'conv1', JSON.stringify(move));
    assert.ok(move.positions.conv1.x > 0, 'moved right of the default column');
    await editor.close();
  });

  it('adds a layer after the selected one with the keyboard quick-add', async () => {
    const editor = await EditorPage.open(browser, example('mnist-cnn-small'));
    const design = parseDesign(example('mnist-cnn-small')).design!;
    const last = analyzeDesign(design).outputIds[0];
    await editor.block(last).click();
    await editor.page.keyboard.press('Control+k');
    await editor.field('quick-add-input').fill('drop');
    const version = await editor.version();
    await editor.field('quick-add-input').press('Enter');
    await editor.waitForEditAfter(version);
    const sent = (await editor.edits()).at(-1);
    assert.ok(sent?.kind === 'addLayer' && sent.layerType === 'Dropout' && sent.connectFrom === last, JSON.stringify(sent));
    await editor.block('dropout_1').waitFor();
    assert.equal(await editor.blockShape('dropout_1'), await editor.blockShape(last));
    await editor.close();
  });

  it('auto-lays out every block in one move edit, and exports the diagram as SVG', async () => {
    const editor = await EditorPage.open(browser, example('resnet18'));
    const version = await editor.version();
    await editor.page.getByTestId('toolbar-auto-layout').click();
    await editor.waitForEditAfter(version);
    const move = (await editor.edits()).at(-1);
    assert.ok(move?.kind === 'move');
    const design = parseDesign(example('resnet18')).design!;
    assert.equal(Object.keys(move.positions).length, design.nodes.length);
    for (const e of design.edges) assert.ok(move.positions[e.target].y > move.positions[e.source].y, `${e.source} above ${e.target}`);
    await editor.page.getByTestId('toolbar-export-svg').click();
    await editor.page.waitForFunction(() => window.harness.sent.some((m) => m.type === 'saveDiagram'));
    const saved = (await editor.sent()).find((m) => m.type === 'saveDiagram');
    assert.ok(saved?.type === 'saveDiagram' && saved.format === 'svg');
    assert.match(saved.data, /^<svg /);
    assert.equal((saved.data.match(/<rect /g) ?? []).length, design.nodes.length + 1, 'one box per block plus the background');
    await editor.page.getByTestId('toolbar-export-png').click();
    await editor.page.waitForFunction(() => window.harness.sent.some((m) => m.type === 'saveDiagram' && m.format === 'png'));
    const png = (await editor.sent()).find((m) => m.type === 'saveDiagram' && m.format === 'png');
    assert.ok(png?.type === 'saveDiagram' && Buffer.from(png.data, 'base64').subarray(1, 4).toString() === 'PNG');
    await editor.close();
  });

  it('follows the VS Code theme through its CSS variables (dark, high contrast)', async () => {
    const editor = await EditorPage.open(browser, example('mnist-cnn'));
    await editor.page.evaluate(() => {
      document.body.className = 'vscode-high-contrast';
      const root = document.documentElement.style;
      root.setProperty('--vscode-editor-background', 'rgb(0, 0, 0)');
      root.setProperty('--vscode-editor-foreground', 'rgb(255, 255, 255)');
      root.setProperty('--vscode-editorWidget-background', 'rgb(12, 12, 12)');
      root.setProperty('--vscode-contrastBorder', 'rgb(111, 195, 223)');
      root.setProperty('--vscode-editorWidget-border', 'rgb(111, 195, 223)');
    });
    const colors = await editor.block('conv1').evaluate((el) => {
      const style = getComputedStyle(el);
      return { background: style.backgroundColor, color: style.color, border: style.borderTopColor, body: getComputedStyle(document.body).backgroundColor };
    });
    assert.deepEqual(colors, { background: 'rgb(12, 12, 12)', color: 'rgb(255, 255, 255)', border: 'rgb(111, 195, 223)', body: 'rgb(0, 0, 0)' });
    await editor.screenshot('9-high-contrast');
    await editor.close();
  });

  it("runs under the webview's Content-Security-Policy, form controls and the lazily loaded layout engine included, without a violation", async () => {
    let violations: () => Promise<string[]> = async () => [];
    const editor = await EditorPage.open(browser, example('mnist-cnn'), undefined, {
      url: cspHarnessUrl(),
      prepare: async (page) => {
        violations = await recordCspViolations(page);
      },
    });
    assert.equal(await editor.blockShape('conv1'), '24×24×10', 'the editor runs under the policy');
    // Every kind of control: text fields, a select, a checkbox, buttons, and the quick-add field.
    await editor.block('conv1').click();
    await editor.field('param-input-strides').fill('2');
    await editor.page.getByTestId('inspector-preview').waitFor();
    await editor.choose('heatmap-mode', 'params');
    await editor.page.getByTestId('block-heat').first().waitFor();
    await editor.page.getByTestId('budgets-toggle').click();
    await editor.page.getByTestId('budget-params').waitFor();
    await editor.page.keyboard.press('Control+k');
    await editor.field('quick-add-input').fill('dense');
    const cursor = await editor.page.getByTestId('budgets-toggle').evaluate((el) => getComputedStyle(el).cursor);
    assert.equal(cursor, 'pointer', 'the controls are styled (their adopted stylesheets apply)');
    await editor.page.keyboard.press('Escape');
    // The layout engine is a script of its own, fetched under the same policy when a layout first runs.
    const engineLoaded = (): Promise<boolean> => editor.page.evaluate(() => window.cnnDesignerLayoutEngine !== undefined);
    assert.equal(await engineLoaded(), false, 'not loaded with the editor');
    const version = await editor.version();
    await editor.page.getByTestId('toolbar-auto-layout').click();
    await editor.waitForEditAfter(version);
    assert.equal((await editor.edits()).at(-1)?.kind, 'move');
    assert.equal(await engineLoaded(), true);
    assert.deepEqual(await violations(), []);
    await editor.close();
  });

  it("opens an inspector select's list on the side with room for it, so a low select's list stays in the window", async () => {
    // Select conv1 where it is on screen, then shorten the window: its activation select (below the
    // convolution's other fields, so a full ten-row list has room above it) ends up low.
    const editor = await EditorPage.open(browser, example('mnist-cnn'), { width: 1300, height: 1600 });
    await editor.block('conv1').click();
    const select = editor.page.getByTestId('param-input-activation');
    await select.waitFor();
    await editor.page.setViewportSize({ width: 1300, height: 330 });
    /** Where the list opens, and whether all of it is inside the window. */
    const openList = async (): Promise<{ position: string; inside: boolean }> => {
      await select.click();
      await editor.page.waitForFunction((el) => !!el?.shadowRoot?.querySelector('.dropdown.open'), await select.elementHandle());
      return select.evaluate((el) => {
        const list = el.shadowRoot!.querySelector('.dropdown.open')!.getBoundingClientRect();
        return { position: (el as unknown as { position: string }).position, inside: list.top >= 0 && list.bottom <= window.innerHeight };
      });
    };
    // Low in a short window: upward. The inspector scrolls the select to the window's bottom edge first,
    // as the browser does when it takes focus.
    await select.evaluate((el) => el.scrollIntoView({ block: 'end' }));
    const bottom = await select.evaluate((el) => el.getBoundingClientRect().bottom);
    assert.ok(bottom > 330 - 150, `the select sits low (bottom at ${bottom} of 330)`);
    assert.deepEqual(await openList(), { position: 'above', inside: true });
    await editor.page.keyboard.press('Escape');
    // With room below (a taller window): downward, as usual.
    await editor.page.setViewportSize({ width: 1300, height: 900 });
    assert.deepEqual(await openList(), { position: 'below', inside: true });
    const version = await editor.version();
    await select.getByRole('option', { name: 'tanh', exact: true }).click();
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'setParams', nodeId: 'conv1', params: { activation: 'tanh' } });
    await editor.close();
  });

  it('renames a block from the inspector', async () => {
    const editor = await EditorPage.open(browser, example('mnist-cnn'));
    await editor.block('conv1').click();
    await editor.field('inspector-id').fill('stem');
    const version = await editor.version();
    await editor.field('inspector-id').press('Enter');
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'rename', nodeId: 'conv1', newId: 'stem' });
    assert.equal(await editor.blockShape('stem'), '24×24×10');
    assert.equal(await editor.page.locator('[data-testid=edge-label][data-edge-id="input->stem"]').count(), 1);
    // A stale second rename would be sent when the field loses focus: a click elsewhere that posts a
    // message of its own comes after it, so once that message is in, any stale rename is too.
    await editor.page.getByTestId('toolbar-summary').click();
    await editor.page.waitForFunction(() => window.harness.sent.some((m) => m.type === 'command' && m.command === 'showSummary'));
    assert.equal((await editor.edits()).filter((i) => i.kind === 'rename').length, 1, 'one rename, not a second stale one on blur');
    await editor.close();
  });

  it('says under the id field why a typed id cannot be used, and renames only once it can', async () => {
    const editor = await EditorPage.open(browser, example('mnist-cnn'));
    await editor.block('conv1').click();
    const problemShows = (pattern: RegExp): Promise<unknown> =>
      editor.page.waitForFunction((source) => new RegExp(source).test(document.querySelector('[data-testid=inspector-id-problem]')?.textContent ?? ''), pattern.source);
    await editor.field('inspector-id').fill('first layer');
    await problemShows(/only letters, digits/);
    await editor.field('inspector-id').fill('conv2');
    await problemShows(/already has the id "conv2"/);
    assert.equal(await editor.page.getByTestId('inspector-id').evaluate((el) => (el as HTMLElement & { invalid: boolean }).invalid), true, 'the field is marked invalid');
    await editor.field('inspector-id').press('Enter');
    // Nothing was sent for it: a later message of the toolbar's comes in with no rename before it.
    await editor.page.getByTestId('toolbar-summary').click();
    await editor.page.waitForFunction(() => window.harness.sent.some((m) => m.type === 'command' && m.command === 'showSummary'));
    assert.equal((await editor.edits()).filter((i) => i.kind === 'rename').length, 0);
    await editor.field('inspector-id').fill('first_layer');
    await editor.page.getByTestId('inspector-id-problem').waitFor({ state: 'detached' });
    const version = await editor.version();
    await editor.field('inspector-id').press('Enter');
    await editor.waitForEditAfter(version);
    assert.deepEqual((await editor.edits()).at(-1), { kind: 'rename', nodeId: 'conv1', newId: 'first_layer' });
    await editor.close();
  });

  it('fits even the largest template at a zoom where block text stays readable (9 px or more), top first', async () => {
    const editor = await EditorPage.open(browser, example('resnet18'));
    // Zoom far out first, so that both fits below have to zoom in again.
    await editor.page.mouse.move(700, 400);
    for (let i = 0; i < 6; i++) await editor.page.mouse.wheel(0, 400);
    await waitForViewportToSettle(editor);
    assert.ok((await smallestBlockTextPx(editor)) < 9, 'zoomed out: text too small to read');
    await editor.page.getByTestId('toolbar-fit-view').click();
    await waitForViewportToSettle(editor);
    assert.ok((await smallestBlockTextPx(editor)) >= 9, `fit view: smallest block text ${await smallestBlockTextPx(editor)} px`);
    const canvas = (await editor.page.getByTestId('canvas').boundingBox())!;
    const input = (await editor.block('input').boundingBox())!;
    assert.ok(input.y >= canvas.y && input.y + input.height <= canvas.y + canvas.height, 'the network’s top (its input) is in view');
    await editor.screenshot('14-fit-view-resnet18');

    for (let i = 0; i < 6; i++) await editor.page.mouse.wheel(0, 400);
    await waitForViewportToSettle(editor);
    await editor.page.locator('.react-flow__controls-fitview').click();
    await waitForViewportToSettle(editor);
    assert.ok((await smallestBlockTextPx(editor)) >= 9, `the zoom controls' fit: smallest block text ${await smallestBlockTextPx(editor)} px`);
    await editor.close();
  });

  it('hides the minimap when the canvas is narrow, and shows it again when there is room', async () => {
    const editor = await EditorPage.open(browser, example('mnist-cnn'), { width: 1400, height: 900 });
    const minimap = editor.page.locator('.react-flow__minimap');
    await minimap.waitFor({ state: 'visible' });
    // Palette and inspector take 450 px: an editor of 900 px leaves a 450 px canvas.
    await editor.page.setViewportSize({ width: 900, height: 900 });
    await minimap.waitFor({ state: 'hidden' });
    assert.ok(((await editor.page.getByTestId('canvas').boundingBox())?.width ?? 0) < 640);
    await editor.screenshot('15-narrow-canvas-without-minimap');
    await editor.page.setViewportSize({ width: 1400, height: 900 });
    await minimap.waitFor({ state: 'visible' });
    await editor.close();
  });

  it('keeps fix buttons inside the inspector, wrapping a long title instead of running past the edge', async () => {
    // A 20×20 kernel on a 12×12 input: its fixes include 'Use padding "same" (output keeps the input size when the stride is 1)'.
    const editor = await EditorPage.open(browser, example('mnist-cnn').replace('"filters": 20, "kernelSize": 5', '"filters": 20, "kernelSize": 20'));
    await editor.block('conv2').click();
    const buttons = editor.page.getByTestId('inspector').getByTestId('fix-button');
    await buttons.first().waitFor();
    const measured = await buttons.evaluateAll((elements) =>
      elements.map((el) => {
        const base = el.shadowRoot!.querySelector('[part=base]')!;
        const inspector = el.closest('[data-testid=inspector]')!;
        const inside = inspector.getBoundingClientRect().left + inspector.clientLeft + inspector.clientWidth;
        return { title: el.getAttribute('title') ?? '', overflow: base.scrollWidth - base.clientWidth, right: el.getBoundingClientRect().right, inside, height: el.getBoundingClientRect().height };
      }),
    );
    assert.ok(measured.some((b) => b.height > 30), `a long title wraps onto a second line: ${JSON.stringify(measured)}`);
    for (const b of measured) {
      assert.ok(b.overflow <= 0, `"${b.title}" overflows its button by ${b.overflow} px`);
      assert.ok(b.right <= b.inside, `"${b.title}" ends at ${b.right}, past the inspector's edge at ${b.inside}`);
      assert.ok(b.title.length > 0, 'the full title is also its tooltip');
    }
    await editor.screenshot('16-wrapped-fix-buttons');
    await editor.close();
  });

  it('shows an external change of the text at once and keeps its viewport across a reload', async () => {
    const editor = await EditorPage.open(browser, example('mnist-cnn'));
    const changed = example('mnist-cnn').replace('"filters": 10', '"filters": 12');
    await editor.load(changed);
    assert.equal(await editor.blockShape('conv1'), '24×24×12');
    await editor.page.mouse.move(700, 400);
    await editor.page.mouse.wheel(0, -300);
    // The zoom is saved when it settles, in the webview state that survives hiding the editor.
    await editor.page.waitForFunction(() => {
      const saved = JSON.parse(sessionStorage.getItem('cnn-designer-harness-state') ?? '{}').viewport;
      // The style rounds to six significant digits.
      const shown = Number(/scale\(([\d.e+-]+)\)/.exec(document.querySelector('.react-flow__viewport')?.getAttribute('style') ?? '')?.[1]);
      return saved && shown === Number(saved.zoom.toPrecision(6));
    });
    const before = await editor.page.locator('.react-flow__viewport').getAttribute('style');
    await editor.page.reload();
    await editor.page.waitForFunction(() => window.harness?.sent.some((m) => m.type === 'ready'));
    await editor.load(changed);
    assert.equal(await editor.page.locator('.react-flow__viewport').getAttribute('style'), before);
    await editor.close();
  });
  it('brings the blocks back into view when the editor becomes narrower (a summary opened beside it)', async () => {
    const editor = await EditorPage.open(browser, example('pytorch-tutorial-net'), { width: 1800, height: 900 });
    await editor.block('conv1').waitFor();
    // Pan the network to the right edge of the wide canvas, as a user might, then halve the window.
    const box = (await editor.page.getByTestId('canvas').boundingBox())!;
    const visibleBlocks = async (): Promise<number> => {
      const canvas = (await editor.page.getByTestId('canvas').boundingBox())!;
      let count = 0;
      for (const block of await editor.page.locator('[data-node-id]').all()) {
        const b = await block.boundingBox();
        if (b && b.x < canvas.x + canvas.width && b.x + b.width > canvas.x && b.y < canvas.y + canvas.height && b.y + b.height > canvas.y) count++;
      }
      return count;
    };
    await editor.page.mouse.move(box.x + 40, box.y + box.height - 30);
    await editor.page.mouse.down();
    await editor.page.mouse.move(box.x + box.width - 60, box.y + box.height - 30, { steps: 8 });
    await editor.page.mouse.up();
    assert.ok((await visibleBlocks()) > 0, 'still visible on the wide canvas');
    await editor.page.setViewportSize({ width: 900, height: 900 });
    await editor.page.waitForFunction(() => {
      const canvas = document.querySelector('[data-testid=canvas]')!.getBoundingClientRect();
      return [...document.querySelectorAll('[data-node-id]')].some((n) => {
        const b = n.getBoundingClientRect();
        return b.right > canvas.left && b.left < canvas.right && b.bottom > canvas.top && b.top < canvas.bottom;
      });
    }, undefined, { timeout: 5000 });
    assert.ok((await visibleBlocks()) > 0);
    await editor.screenshot('13-narrowed-canvas');
    await editor.close();
  });
});
