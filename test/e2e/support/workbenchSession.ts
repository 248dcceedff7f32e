// What a runner hands the end-to-end tests: a page showing a real VS Code workbench with the packaged
// extension installed and a scratch workspace folder open. The code-server runner (CI) and the
// Electron runner (contributors who can download VS Code) both produce one, so the tests are shared.
import type { Page } from 'playwright-core';

export interface WorkbenchSession {
  /** The workbench window. */
  readonly page: Page;
  /** The folder the workbench has open: the example designs and the files the tests seeded. */
  readonly workspaceDir: string;
  /** Starts a test's share of the console, so a failure report shows what happened during that test. */
  markTestStart(): void;
  /** Everything worth reading when a test fails: console output, extension host and server logs. */
  failureReport(): string;
  /** Ends the browser/window and every process the runner started. */
  dispose(): Promise<void>;
}
