// Drives the VS Code workbench the way a user does (command palette, explorer, keyboard, panels) and
// reaches into webviews. Every wait polls for a visible state with a deadline; nothing sleeps for a
// fixed time, so the suite runs as fast as the workbench answers.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { REPOSITORY_ROOT } from './workbenchProfile';

export const ARTIFACTS_DIR = join(REPOSITORY_ROOT, 'test-artifacts', 'e2e');

/** Polls `probe` until it returns a value other than undefined, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class WorkbenchDriver {
  private screenshotCount = 0;

  constructor(readonly page: Page) {}

  /** Waits for the workbench and its explorer to show. */
  async waitForWorkbench(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /**
   * Waits until the palette lists a command, i.e. the extension host has registered the extension
   * that contributes it; the workbench shows long before that.
   */
  async waitForCommand(title: string, timeoutMs = 120_000): Promise<void> {
    await waitFor(
      `the command "${title}" in the palette`,
      async () => {
        const row = await this.findCommandRow(title);
        await this.closeQuickInput();
        return row ? true : undefined;
      },
      timeoutMs,
    );
  }

  /**
   * Runs a command through the palette, by its full title as the palette shows it ("Category: Title").
   * Contributed commands appear only once the extension host has registered them, so the palette is
   * reopened until the row shows.
   */
  async runCommand(title: string, timeoutMs = 60_000): Promise<void> {
    const row = await waitFor(
      `the command "${title}" in the palette`,
      async () => {
        const candidate = await this.findCommandRow(title);
        if (!candidate) await this.closeQuickInput();
        return candidate;
      },
      timeoutMs,
    );
    await row.click();
  }

  /** Opens the palette filtered to `title`; the row whose label starts with it, if it shows. */
  private async findCommandRow(title: string): Promise<Locator | undefined> {
    await this.openQuickInput('>' + title);
    const row = this.quickInputRows().filter({ hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 2000 });
    } catch {
      return undefined;
    }
    return ((await row.getAttribute('aria-label')) ?? '').startsWith(title) ? row : undefined;
  }

  /** Types into the quick input opened with the palette key (F1); `text` starting with `>` filters commands. */
  async openQuickInput(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    if (!(await input.isVisible())) await this.page.keyboard.press('F1');
    await input.fill(text, { timeout: 5000 });
  }

  /**
   * Closes the quick input and waits until it is gone: typing into one that is still closing waits
   * on an input that never comes back.
   */
  async closeQuickInput(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 });
  }

  quickInputRows(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  }

  /**
   * Picks the quick pick row whose label starts with `label` (after a command asked a question),
   * typing the label first as a user does: a long list shows only the rows that fit.
   */
  async pickQuickInputItem(label: string, timeoutMs = 20_000): Promise<void> {
    const filter = this.page.locator('.quick-input-widget .quick-input-box input').first();
    await filter.waitFor({ state: 'visible', timeout: timeoutMs });
    await filter.fill(label, { timeout: timeoutMs });
    const row = this.page.locator(`.quick-input-widget .quick-input-list .monaco-list-row[aria-label^="${cssString(label)}"]`).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    await row.click();
  }

  /**
   * Runs a command that asks a quick-pick question and picks `label`. A quick pick closes when
   * focus leaves it, and a webview that has just opened can take focus as it finishes loading: when
   * the question is gone before the pick, the command runs again (at most three times).
   */
  async runCommandAndPick(title: string, label: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.runCommand(title);
      try {
        await this.pickQuickInputItem(label, 10_000);
        return;
      } catch (error) {
        const questionStillShown = await this.page.locator('.quick-input-widget').isVisible();
        if (attempt >= 3 || questionStillShown) throw error;
      }
    }
  }

  /** Opens a file by double-clicking its row in the explorer (a file at the top of the workspace). */
  async openFromExplorer(fileName: string, timeoutMs = 20_000): Promise<void> {
    const row = this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${cssString(fileName)}"]`).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    await row.dblclick();
  }

  /** The active editor tab's file name; empty when no editor is open. */
  async activeTabLabel(): Promise<string> {
    const tab = this.page.locator('.tabs-container .tab.active').first();
    return (await tab.count()) === 0 ? '' : ((await tab.getAttribute('data-resource-name')) ?? '');
  }

  /** Whether the active tab shows unsaved changes. */
  async activeTabIsDirty(): Promise<boolean> {
    const classes = (await this.page.locator('.tabs-container .tab.active').first().getAttribute('class')) ?? '';
    return classes.split(/\s+/).includes('dirty');
  }

  /**
   * The lines a text editor shows (those rendered, i.e. on screen), top to bottom, in the editor
   * group whose active tab is `fileName`.
   */
  async activeTextEditorLines(fileName: string): Promise<string[]> {
    const group = this.page.locator('.editor-group-container').filter({ has: this.page.locator(`.tab.active[data-resource-name="${cssString(fileName)}"]`) });
    if ((await group.count()) === 0) return [];
    return group.first().locator('.monaco-editor .view-lines .view-line').evaluateAll((lines) =>
      lines
        .map((line) => ({ top: parseFloat((line as HTMLElement).style.top), text: (line.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((line) => line.text),
    );
  }

  /** Whether the active editor is VS Code's text editor (as opposed to a custom editor's webview). */
  async activeEditorIsTextEditor(): Promise<boolean> {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first().isVisible();
  }

  /**
   * The innermost frame of a visible webview whose document contains `selector`. A webview nests its
   * content two iframes deep; hidden (background) webviews are skipped by requiring a visible match.
   */
  async webviewFrame(selector: string, timeoutMs = 60_000): Promise<Frame> {
    return waitFor(
      `a webview showing ${selector}`,
      async () => {
        for (const frame of this.page.frames()) {
          if (frame === this.page.mainFrame() || frame.childFrames().length > 0) continue;
          const match = frame.locator(selector).first();
          if ((await match.count()) > 0 && (await match.isVisible())) return frame;
        }
        return undefined;
      },
      timeoutMs,
    );
  }

  /** Closes every editor, answering "Don't Save" if VS Code asks about unsaved changes. */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
    const dontSave = this.page.locator('.monaco-dialog-box .monaco-button', { hasText: "Don't Save" });
    await waitFor('all editors to close', async () => {
      if (await dontSave.first().isVisible()) await dontSave.first().click();
      return (await this.page.locator('.tabs-container .tab').count()) === 0 ? true : undefined;
    });
  }

  /** The rows of the Problems panel, opening it if needed (their accessible labels carry message, severity and position). */
  async problems(): Promise<string[]> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
      await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    }
    await panel.waitFor({ state: 'visible' });
    return panel.locator('.monaco-list-row').evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? element.textContent ?? ''));
  }

  /** Saves a full-page screenshot under test-artifacts/e2e/, numbered in the order taken. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    this.screenshotCount += 1;
    const slug = name.replace(/[^\w.-]+/g, '-').slice(0, 80);
    const file = join(ARTIFACTS_DIR, `${String(this.screenshotCount).padStart(2, '0')}-${slug}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}

/** Escapes a value for a double-quoted CSS attribute selector. */
function cssString(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}
