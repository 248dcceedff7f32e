// The editor webview showing an imported ONNX model, in Chromium: read-only with its reason, the
// design's annotations intact, Save as design offered, and a model that did not import shown with
// its located problems.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { compileGraph } from '../../src/core/export/compileGraph';
import { exportOnnx } from '../../src/core/export/exportOnnx';
import { parseDesign } from '../../src/core/format/parseDesign';
import { importModelFile, IMPORTED_READ_ONLY_REASON } from '../../src/extension/models/importModelFile';
import { EditorPage, launchEditorChromium } from './editorPage';

const LENET = readFileSync('examples/lenet5.cnn.json', 'utf8');

describe('graph editor webview showing an imported model', function () {
  this.timeout(60_000);
  let browser: Browser;

  before(async () => {
    browser = await launchEditorChromium();
  });
  after(async () => browser?.close());

  it('shows the model read-only with its shapes: a banner says why, edits are refused with that reason, Save as design goes to the host', async () => {
    const imported = importModelFile(exportOnnx(compileGraph(parseDesign(LENET).design!)), 'lenet5.onnx');
    assert.ok(imported.ok);
    const editor = await EditorPage.open(browser, LENET);
    assert.ok(await editor.page.getByTestId('toolbar-train').isVisible(), 'a design file trains');
    await editor.page.evaluate(
      ({ text, reason }) => window.harness.send({ type: 'document', text, version: 50, fileName: 'lenet5.onnx', readOnly: true, readOnlyReason: reason, imported: true }),
      { text: imported.designText, reason: IMPORTED_READ_ONLY_REASON },
    );
    const banner = editor.page.getByTestId('readonly-banner');
    await banner.waitFor();
    assert.equal(await banner.textContent(), `Read-only: ${IMPORTED_READ_ONLY_REASON}Save as design`);
    assert.equal(await editor.page.getByTestId('toolbar-train').count(), 0, 'an imported model trains once saved as a design');
    assert.equal(await editor.page.getByTestId('toolbar-quick-add').count(), 0);
    const conv = imported.design.nodes.find((n) => n.type === 'Conv2D')!.id;
    await editor.block(conv).waitFor();
    assert.equal(await editor.blockShape(conv), '28×28×6', "the first convolution's shape, as for the design");

    await editor.block(conv).click();
    await editor.page.keyboard.press('Delete');
    const toast = editor.page.getByTestId('toast');
    await toast.waitFor();
    assert.equal(await toast.textContent(), `Read-only: ${IMPORTED_READ_ONLY_REASON}`);
    assert.deepEqual(await editor.edits(), [], 'no edit reached the host');

    await editor.page.getByTestId('save-as-design').click();
    await editor.page.waitForFunction(() => window.harness.sent.some((m) => m.type === 'command' && m.command === 'saveAsDesign'));
    await editor.screenshot('imported-model-read-only');
    await editor.close();
  });

  it('shows a model that does not import as its problems, each with its place, instead of a blank page', async () => {
    const editor = await EditorPage.open(browser, LENET);
    await editor.page.evaluate(() =>
      window.harness.send({
        type: 'importFailed',
        fileName: 'net.onnx',
        title: 'net.onnx cannot be shown as a design: 2 problems',
        problems: [{ location: 'node 3 "/up/Resize" (Resize)', message: 'no layer type reads Resize' }, { message: 'second' }],
      }),
    );
    await editor.page.getByTestId('import-error-view').waitFor();
    assert.equal(await editor.page.getByTestId('import-error-title').textContent(), 'net.onnx cannot be shown as a design: 2 problems');
    assert.deepEqual(await editor.page.getByTestId('import-problem').allTextContents(), ['node 3 "/up/Resize" (Resize): no layer type reads Resize', 'second']);
    assert.equal(await editor.page.getByTestId('editor').count(), 0, 'no canvas');
    await editor.close();
  });
});
