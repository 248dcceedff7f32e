import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { trainingPanelHtml } from '../../src/extension/training/trainingPanelHtml';
import type { RpcRequestEnvelope } from '../../src/protocol/RpcEndpoint';
import type { FeatureMapsReply, HostToTrainingPanelMessage, TrainingPanelToHostMessage } from '../../src/protocol/trainingPanelProtocol';

/** Debian's Chromium; playwright-core drives it without downloading a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve('test-artifacts/training-panel');

/** The host's reply to one of the panel's `featureMaps` requests, recorded in the order they were asked. */
export type RecordedFeatureMapsReply = { type: 'featureMaps'; requestId: number } & FeatureMapsReply;
export type RecordedMessage = HostToTrainingPanelMessage | RecordedFeatureMapsReply;

export interface PanelRecording {
  description: string;
  messages: { at: number; message: RecordedMessage }[];
}

export const isEvent = (m: RecordedMessage): m is HostToTrainingPanelMessage => m.type !== 'featureMaps';

export const loadRecording = (): PanelRecording =>
  JSON.parse(readFileSync(resolve('test/fixtures/training-panel/mnist-cnn-run.json'), 'utf8')) as PanelRecording;

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'] });
}

declare global {
  interface Window {
    panelHarness: { sent: RpcRequestEnvelope<TrainingPanelToHostMessage>[]; violations: string[]; state: unknown };
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
    // The handshake: the panel asks `ready` once it listens.
    await page.waitForFunction(() => window.panelHarness.sent.some((m) => m.rpc === 'request' && m.request.type === 'ready'));
    return panel;
  }

  /** Delivers host events as VS Code does (window message events, in the channel's envelope), then lets the panel draw a frame. */
  async deliver(...events: HostToTrainingPanelMessage[]): Promise<void> {
    await this.post(events.map((event) => ({ rpc: 'event', event })));
  }

  /** Answers the panel's request `id` as the host does. */
  async reply(id: number, value: unknown): Promise<void> {
    await this.post([{ rpc: 'reply', id, ok: true, value }]);
  }

  /** What the panel asked, in order (the requests, out of their envelopes). */
  async sent(): Promise<TrainingPanelToHostMessage[]> {
    return (await this.envelopes()).map((e) => e.request);
  }

  /** What the panel put on the channel, envelopes and ids included. */
  async envelopes(): Promise<RpcRequestEnvelope<TrainingPanelToHostMessage>[]> {
    return this.page.evaluate(() => window.panelHarness.sent);
  }

  /** The id of the panel's last request of this type. */
  async lastRequestId(type: TrainingPanelToHostMessage['type']): Promise<number> {
    const envelope = (await this.envelopes()).filter((e) => e.request.type === type).at(-1);
    if (!envelope) throw new Error(`the panel sent no ${type} request`);
    return envelope.id;
  }

  private async post(envelopes: unknown[]): Promise<void> {
    await this.page.evaluate((es) => {
      for (const e of es) window.postMessage(e, '*');
    }, envelopes);
    await this.page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    await this.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
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
