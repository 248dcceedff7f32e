// Mocha root hooks for the end-to-end suite: one workbench for the whole run (packaging, installing
// and starting VS Code costs far more than any single test), a screenshot and the logs when a test
// fails, and every process ended afterwards. The runner is chosen by CNN_DESIGNER_E2E_RUNNER:
// `code-server` (default, what CI runs) or `electron` (a desktop VS Code via @vscode/test-electron).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'mocha';
import { launchCodeServerWorkbench } from './launchCodeServerWorkbench';
import { launchElectronWorkbench } from './launchElectronWorkbench';
import { packageExtension } from './packageExtension';
import { ARTIFACTS_DIR, WorkbenchDriver } from './workbenchDriver';
import { REPOSITORY_ROOT } from './workbenchProfile';
import type { WorkbenchSession } from './workbenchSession';

export interface EndToEnd {
  readonly session: WorkbenchSession;
  readonly workbench: WorkbenchDriver;
}

let current: EndToEnd | undefined;
const seedFiles = new Map<string, string | Uint8Array>();

/**
 * Registers a file (text, or bytes such as an ONNX model) for the workspace, written before the
 * workbench starts; call it at the top level of a test file (mocha loads every test file before
 * the root hooks run). Returns the name.
 */
export function seedWorkspaceFile(name: string, content: string | Uint8Array): string {
  if (current) throw new Error(`seedWorkspaceFile("${name}") after the workbench started: call it at the top level of the test file`);
  if (seedFiles.has(name)) throw new Error(`two tests seed the workspace file ${name}`);
  seedFiles.set(name, content);
  return name;
}

/** The suite's workbench; available inside tests once the root `beforeAll` has run. */
export function endToEnd(): EndToEnd {
  if (!current) throw new Error('the workbench is not running: run the suite with `npm run test:e2e`');
  return current;
}

/** "Category: Title" of the extension's first command, as the palette lists it. */
function firstContributedCommandTitle(): string {
  const manifest = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as {
    contributes?: { commands?: { title: string; category?: string }[] };
  };
  const command = manifest.contributes?.commands?.[0];
  if (!command) throw new Error('package.json contributes no command to wait for');
  return command.category ? `${command.category}: ${command.title}` : command.title;
}

function launch(vsixPath: string): Promise<WorkbenchSession> {
  const runner = process.env.CNN_DESIGNER_E2E_RUNNER ?? 'code-server';
  if (runner === 'code-server') return launchCodeServerWorkbench(vsixPath, seedFiles);
  if (runner === 'electron') return launchElectronWorkbench(vsixPath, seedFiles);
  throw new Error(`CNN_DESIGNER_E2E_RUNNER must be code-server or electron, not "${runner}"`);
}

export const mochaHooks = {
  async beforeAll(this: Context): Promise<void> {
    // Packaging and a first start on a busy machine take a while; code-server is installed before
    // mocha starts (scripts/testE2e.sh), but the Electron runner downloads VS Code in here.
    this.timeout(process.env.CNN_DESIGNER_E2E_RUNNER === 'electron' ? 900_000 : 300_000);
    rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
    const started = Date.now();
    const vsix = packageExtension();
    const packaged = Date.now();
    const session = await launch(vsix);
    const workbench = new WorkbenchDriver(session.page);
    try {
      await workbench.waitForWorkbench();
      const shown = Date.now();
      await workbench.waitForCommand(firstContributedCommandTitle());
      const seconds = (from: number, to: number): string => ((to - from) / 1000).toFixed(1);
      console.log(
        `  workbench ready: packaged in ${seconds(started, packaged)} s, workbench shown after ${seconds(packaged, shown)} s, ` +
          `extension's commands listed after ${seconds(shown, Date.now())} s more`,
      );
    } catch (error) {
      console.error(session.failureReport());
      await session.dispose();
      throw error;
    }
    current = { session, workbench };
  },

  beforeEach(): void {
    current?.session.markTestStart();
  },

  async afterEach(this: Context): Promise<void> {
    if (!current) return;
    if (this.currentTest?.state === 'failed') {
      const file = await current.workbench.screenshot(`FAILED-${this.currentTest.title}`).catch((error: Error) => `(no screenshot: ${error.message})`);
      console.error(`\n--- "${this.currentTest.fullTitle()}" failed; screenshot: ${file}`);
      console.error(current.session.failureReport());
    }
    // Every test starts from a workbench with no editors open. A workbench that cannot even close
    // its editors fails the next test with its own report, rather than ending the run here.
    await current.workbench.closeAllEditors().catch((error: Error) => console.error(`  could not close the editors: ${error.message}`));
  },

  async afterAll(): Promise<void> {
    const ending = current;
    current = undefined;
    await ending?.session.dispose();
  },
};
