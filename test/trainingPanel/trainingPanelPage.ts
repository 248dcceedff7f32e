import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { trainingPanelHtml } from '../../src/extension/training/trainingPanelHtml';
import type { HostToTrainingPanelMessage, TrainingPanelToHostMessage } from '../../src/protocol/trainingPanelProtocol';

/** Debian's Chromium; playwright-core drives it without downloading a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve('test-artifacts/training-panel');

export interface PanelRecording {
  description: string;
  messages: { at: number; message: HostToTrainingPanelMessage }[];
}

export const loadRecording = (): PanelRecording =>
  JSON.parse(readFileSync(resolve('test/fixtures/training-panel/mnist-cnn-run.json'), 'utf8')) as PanelRecording;

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'] });
}

declare global {
  interface Window {
    panelHarness: { sent: TrainingPanelToHostMessage[]; violations: string[]; state: unknown };
  }
}

const NONCE = 'TestNonce0123456789abcdefABCDEF0';

/**
 * Writes the harness page: the host's real page (same HTML and Content-Security-Policy as in VS Code,
 * with file: as the webview's resource origin), a theme stylesheet, and a nonce'd script playing
 * VS Code's webview API, recording what the panel posts.
 */
function writeHarness(): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = (p: string) => pathToFileURL(resolve(p)).href;
  let html = trainingPanelHtml({ cspSource: 'file:', scriptUri: file('dist/webview/training.js'), styleUri: file('dist/webview/training.css'), nonce: NONCE, title: 'training panel harness' });
  const api = `<script nonce="${NONCE}">
window.panelHarness = { sent: [], violations: [], state: undefined };
document.addEventListener('securitypolicyviolation', (e) => window.panelHarness.violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.panelHarness.sent.push(JSON.parse(JSON.stringify(m))),
  getState: () => window.panelHarness.state,
  setState: (s) => { window.panelHarness.state = s; },
});
</script>`;
  html = html.replace('</head>', `<link rel="stylesheet" href="${file('test/trainingPanel/vscodeTheme.css')}">\n${api}\n</head>`);
  const path = join(ARTIFACTS, 'harness.html');
  writeFileSync(path, html);
  return pathToFileURL(path).href;
}

/** The training panel bundle in the harness page, playing the host's side of the protocol. */
export class TrainingPanelPage {
  readonly errors: string[] = [];

  private constructor(readonly page: Page) {}

  static async open(browser: Browser, size = { width: 1300, height: 1000 }): Promise<TrainingPanelPage> {
    const page = await browser.newPage({ viewport: size });
    const panel = new TrainingPanelPage(page);
    page.on('pageerror', (e) => panel.errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && panel.errors.push(m.text()));
    await page.goto(writeHarness());
    await page.waitForFunction(() => window.panelHarness.sent.some((m) => m.type === 'ready'));
    return panel;
  }

  /** Delivers host messages as VS Code does (window message events), then lets the panel draw a frame. */
  async deliver(...messages: HostToTrainingPanelMessage[]): Promise<void> {
    await this.page.evaluate((ms) => {
      for (const m of ms) window.postMessage(m, '*');
    }, messages);
    await this.page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    await this.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
  }

  async sent(): Promise<TrainingPanelToHostMessage[]> {
    return this.page.evaluate(() => window.panelHarness.sent);
  }

  async violations(): Promise<string[]> {
    return this.page.evaluate(() => window.panelHarness.violations);
  }

  /** The data a uPlot chart plots: [x, ...series], read from the chart's own instance. */
  async chartData(testId: string): Promise<(number | null)[][]> {
    return this.page.evaluate((id) => {
      const el = document.querySelector(`[data-testid="${id}"]`) as (HTMLElement & { uplot?: { data: (number | null)[][] } }) | null;
      return el?.uplot ? el.uplot.data.map((s) => Array.from(s)) : [];
    }, testId);
  }

  /** How many pixels of a chart's canvas are drawn (not fully transparent). */
  async chartInk(testId: string): Promise<number> {
    return this.page.evaluate((id) => {
      const canvas = document.querySelector(`[data-testid="${id}"] canvas`) as HTMLCanvasElement | null;
      const context = canvas?.getContext('2d');
      if (!canvas || !context) return 0;
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
      return ink;
    }, testId);
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }
}
