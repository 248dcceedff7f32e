import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { createNonce, editorHtml } from '../../src/extension/editorHtml';
import type { WebviewToHostMessage } from '../../src/protocol/editorProtocol';

/** Debian's Chromium; playwright-core drives it without downloading a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve('test-artifacts/webview');
const HARNESS_URL = pathToFileURL(resolve('test/webview/harness.html')).href;

/**
 * The harness as the extension serves the editor: the page `editorHtml` builds, with its
 * Content-Security-Policy (nonce scripts, styles from the extension's files plus inline ones).
 * The extension's files are the local `file:` ones here.
 */
export function cspHarnessUrl(): string {
  const nonce = createNonce();
  const dist = pathToFileURL(resolve('dist')).href;
  const html = editorHtml({ cspSource: 'file:', scriptUri: `${dist}/webview/editor.js`, styleUri: `${dist}/webview/editor.css`, nonce, title: 'CSP harness' }).replace(
    '<script ',
    `<script nonce="${nonce}" src="${dist}/webview-harness/harness.js"></script>\n<script `,
  );
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = `${ARTIFACTS}/csp-harness.html`;
  writeFileSync(file, html);
  return pathToFileURL(file).href;
}

/** Records Content-Security-Policy violations from the page's start, as events and as console reports. */
export async function recordCspViolations(page: Page): Promise<() => Promise<string[]>> {
  const logged: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) logged.push(m.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  return async () => [...logged, ...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations))];
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'] });
}

/** Chromium for a suite that opens the editor: first checks that the bundles are built and the browser is there, so a missing one fails with what to do. */
export async function launchEditorChromium(): Promise<Browser> {
  if (!existsSync('dist/webview/editor.js') || !existsSync('dist/webview-harness/harness.js'))
    throw new Error('Build the bundles first (node esbuild.config.mjs): the webview tests load dist/webview/editor.js.');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`No Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH); the webview tests need a real browser.`);
  return launchChromium();
}

/** The editor bundle in the harness page, with helpers to read what it shows and what it sent. */
export class EditorPage {
  private constructor(readonly page: Page) {}

  /** `url` picks another harness page; `prepare` runs on the new page before it loads. */
  static async open(
    browser: Browser,
    text: string,
    size = { width: 1400, height: 900 },
    { url = HARNESS_URL, prepare }: { url?: string; prepare?: (page: Page) => Promise<void> } = {},
  ): Promise<EditorPage> {
    const page = await browser.newPage({ viewport: size });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await prepare?.(page);
    await page.goto(url);
    await page.waitForFunction(() => window.harness?.sent.some((m) => m.type === 'ready'));
    const editor = new EditorPage(page);
    await editor.load(text);
    if (errors.length) throw new Error(`The editor page failed: ${errors.join('\n')}`);
    return editor;
  }

  /** Replaces the document, as an external edit would, and waits until the editor shows it. */
  async load(text: string): Promise<void> {
    await this.page.evaluate((t) => window.harness.load(t), text);
    const version = await this.page.evaluate(() => window.harness.version());
    await this.page.waitForFunction(
      (v) => document.querySelector('[data-testid=editor]')?.getAttribute('data-document-version') === String(v) || !!document.querySelector('[data-testid=error-view]'),
      version,
    );
    await this.waitForCanvasToSettle();
  }

  /**
   * The text box of a form control. The editor's fields are vscode-elements web components; their
   * `<input>` sits in the control's open shadow root, which Playwright's locators pierce.
   */
  field(testId: string): Locator {
    return this.page.getByTestId(testId).locator('input');
  }

  /** Picks an option of a vscode-single-select as a user does: opens its list and clicks the option. */
  async choose(testId: string, label: string): Promise<void> {
    const select = this.page.getByTestId(testId);
    await select.click();
    await select.getByRole('option', { name: label, exact: true }).click();
  }

  block(id: string): Locator {
    return this.page.locator(`[data-testid=block][data-node-id="${id}"]`);
  }

  /** The output shape a block shows, once the canvas has caught up with the last change. */
  async blockShape(id: string): Promise<string> {
    await this.waitForCanvasToSettle();
    return (await this.block(id).getByTestId('block-shape').textContent()) ?? '';
  }

  async blockParams(id: string): Promise<number> {
    await this.waitForCanvasToSettle();
    return Number(await this.block(id).getByTestId('block-params').getAttribute('data-params'));
  }

  async sent(): Promise<WebviewToHostMessage[]> {
    return this.page.evaluate(() => window.harness.sent);
  }

  async edits(): Promise<Extract<WebviewToHostMessage, { type: 'edit' }>['intention'][]> {
    return (await this.sent()).flatMap((m) => (m.type === 'edit' ? [m.intention] : []));
  }

  async text(): Promise<string> {
    return this.page.evaluate(() => window.harness.text());
  }

  /**
   * Waits until the harness holds a document version above `than` (an edit was written), the editor
   * shows that version, and the canvas has caught up: React Flow copies the blocks into its store in
   * an effect of its own, a render or two after the editor's, so the blocks must stop changing.
   */
  async waitForEditAfter(than: number): Promise<void> {
    await this.page.waitForFunction((v) => window.harness.version() > v, than);
    const version = await this.page.evaluate(() => window.harness.version());
    await this.page.waitForFunction((v) => document.querySelector('[data-testid=editor]')?.getAttribute('data-document-version') === String(v), version);
    await this.waitForCanvasToSettle();
  }

  /** Waits for three animation frames in a row in which no block appeared, vanished or changed its text. */
  async waitForCanvasToSettle(): Promise<void> {
    await this.page.evaluate(() => {
      const w = window as unknown as { canvasSignature?: string; canvasStableFrames?: number };
      w.canvasSignature = undefined;
      w.canvasStableFrames = 0;
    });
    await this.page.waitForFunction(
      () => {
        const w = window as unknown as { canvasSignature?: string; canvasStableFrames?: number };
        const signature = [...document.querySelectorAll('[data-testid=block]')].map((b) => `${b.getAttribute('data-node-id')}:${b.getAttribute('data-status')}:${b.textContent}`).join('|');
        if (signature === w.canvasSignature) w.canvasStableFrames = (w.canvasStableFrames ?? 0) + 1;
        else {
          w.canvasSignature = signature;
          w.canvasStableFrames = 0;
        }
        return w.canvasStableFrames >= 3;
      },
      undefined,
      { polling: 'raf' },
    );
  }

  async version(): Promise<number> {
    return this.page.evaluate(() => window.harness.version());
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: `${ARTIFACTS}/${name}.png` });
  }

  /** Drags from one block's output port to another block's input port with the mouse. */
  async connect(source: string, target: string): Promise<void> {
    const from = await this.block(source).getByTestId('handle-out').boundingBox();
    const to = await this.block(target).getByTestId('handle-in').boundingBox();
    if (!from || !to) throw new Error(`ports of ${source} or ${target} are not on screen`);
    await this.page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
    await this.page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 5 });
    await this.page.mouse.up();
  }

  close(): Promise<void> {
    return this.page.close();
  }
}
