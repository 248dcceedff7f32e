// Keeps what the workbench page logs, for the failure report: the extension host's `console` output
// reaches the page as `[Extension Host] …` messages, and webview errors arrive here too.
import type { Page } from 'playwright-core';

export class ConsoleRecorder {
  private readonly messages: string[] = [];
  private testStart = 0;

  constructor(page: Page) {
    page.on('console', (message) => this.messages.push(`[${message.type()}] ${message.text().replace(/%c/g, '')}`));
    page.on('pageerror', (error) => this.messages.push(`[pageerror] ${error.message}`));
  }

  markTestStart(): void {
    this.testStart = this.messages.length;
  }

  /** Extension host output from the whole session, then everything logged during the current test. */
  report(): string {
    const extensionHost = this.messages.slice(0, this.testStart).filter((m) => m.includes('[Extension Host]'));
    const sinceTestStart = this.messages.slice(this.testStart);
    return [
      '=== extension host console before this test ===',
      extensionHost.slice(-100).join('\n') || '(none)',
      '=== page console during this test ===',
      sinceTestStart.slice(-200).join('\n') || '(none)',
    ].join('\n');
  }
}
