// The CNN Designer graph editor as it shows inside the workbench: its webview frame, read and driven
// through the editor's data-testid hooks.
import type { Frame, Locator } from 'playwright-core';
import { waitFor, type WorkbenchDriver } from './workbenchDriver';

export interface ShownBlock {
  readonly id: string;
  /** The output shape as the block shows it. */
  readonly shape: string;
  /** The parameter count as the block shows it ("34,944 params"). */
  readonly paramsText: string;
  /** The exact count the block carries in its data-params attribute. */
  readonly params: number;
}

export class GraphEditorView {
  private constructor(readonly frame: Frame) {}

  /** The visible graph editor, once it has loaded a design and its layer palette lists layers. */
  static async find(workbench: WorkbenchDriver): Promise<GraphEditorView> {
    const frame = await workbench.webviewFrame('[data-testid=editor]');
    await frame.locator('[data-testid^="palette-item-"]').first().waitFor({ state: 'visible' });
    return new GraphEditorView(frame);
  }

  block(id: string): Locator {
    return this.frame.locator(`[data-testid=block][data-node-id="${id}"]`);
  }

  /** Every block on the canvas with the shape and parameter count it shows. */
  async blocks(): Promise<ShownBlock[]> {
    return this.frame.locator('[data-testid=block]').evaluateAll((elements) =>
      elements.map((element) => ({
        id: element.getAttribute('data-node-id') ?? '',
        shape: element.querySelector('[data-testid=block-shape]')?.textContent ?? '',
        paramsText: element.querySelector('[data-testid=block-params]')?.textContent ?? '',
        params: Number(element.querySelector('[data-testid=block-params]')?.getAttribute('data-params')),
      })),
    );
  }

  async blockShape(id: string): Promise<string> {
    return (await this.block(id).locator('[data-testid=block-shape]').textContent()) ?? '';
  }

  /** Waits until the block shows `shape`, i.e. the host applied an edit and sent the text back. */
  async waitForBlockShape(id: string, shape: string): Promise<void> {
    await waitFor(`block ${id} to show ${shape}`, async () => ((await this.blockShape(id)) === shape ? true : undefined));
  }

  /** Selects a block so the inspector shows it. */
  async select(id: string): Promise<void> {
    await this.block(id).locator('[data-testid=block-title]').click();
    await this.frame.locator(`[data-testid=inspector-node][data-node-id="${id}"]`).waitFor({ state: 'visible' });
  }

  /**
   * The text box of a form control. The editor's fields are vscode-elements web components; their
   * `<input>` sits in the control's open shadow root, which Playwright's CSS locators pierce.
   */
  field(testId: string): Locator {
    return this.frame.locator(`[data-testid="${testId}"] input`);
  }

  /** Types a parameter value into the inspector and applies it with Enter, as a user does. */
  async setParameter(name: string, text: string): Promise<void> {
    const input = this.field(`param-input-${name}`);
    await input.fill(text);
    await input.press('Enter');
  }

  /** Clicks an empty part of the canvas, so keys go to the canvas rather than a field. */
  async focusCanvas(): Promise<void> {
    // The top-left corner: the zoom controls and the minimap sit at the bottom.
    await this.frame.locator('[data-testid=canvas] .react-flow__pane').click({ position: { x: 8, y: 8 } });
  }
}
