// The desktop runner, for contributors whose machines can download VS Code: @vscode/test-electron
// fetches a VS Code build, the packaged extension is installed into a throwaway profile with its
// CLI, and playwright-core drives the Electron window, so the same tests run as under code-server.
// @vscode/test-electron is not a dependency of the project (its install downloads); add it locally
// with `npm install --no-save @vscode/test-electron` and run `npm run test:e2e:electron`.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { _electron, type ElectronApplication } from 'playwright-core';
import { createWorkbenchProfile, extensionHostLogReport, removeWorkbenchProfile, REPOSITORY_ROOT } from './workbenchProfile';
import { ConsoleRecorder } from './consoleRecorder';
import type { WorkbenchSession } from './workbenchSession';

/** The part of @vscode/test-electron this runner uses. */
interface TestElectron {
  downloadAndUnzipVSCode(version?: string): Promise<string>;
  resolveCliArgsFromVSCodeExecutablePath(executablePath: string): string[];
}

function loadTestElectron(): TestElectron {
  try {
    return createRequire(__filename)('@vscode/test-electron') as TestElectron;
  } catch {
    throw new Error('the Electron runner needs @vscode/test-electron: `npm install --no-save @vscode/test-electron`');
  }
}

export async function launchElectronWorkbench(vsixPath: string, seedFiles: ReadonlyMap<string, string | Uint8Array>): Promise<WorkbenchSession> {
  const testElectron = loadTestElectron();
  // CNN_DESIGNER_E2E_VSCODE_VERSION picks a release ("stable", "insiders" or "1.95.0"); default stable.
  const executablePath = await testElectron.downloadAndUnzipVSCode(process.env.CNN_DESIGNER_E2E_VSCODE_VERSION);
  const [cli] = testElectron.resolveCliArgsFromVSCodeExecutablePath(executablePath);
  if (!cli) throw new Error(`@vscode/test-electron found no command line next to ${executablePath}`);
  const profile = createWorkbenchProfile(seedFiles);
  const profileArgs = ['--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir];
  let app: ElectronApplication | undefined;
  const dispose = async (): Promise<void> => {
    await app?.close().catch(() => undefined);
    if (!process.env.CNN_DESIGNER_E2E_KEEP_PROFILE) removeWorkbenchProfile(profile);
  };
  try {
    execFileSync(cli, [...profileArgs, '--install-extension', vsixPath], { stdio: 'pipe', encoding: 'utf8', cwd: REPOSITORY_ROOT });
    app = await _electron.launch({
      executablePath,
      args: [
        ...profileArgs,
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--disable-telemetry',
        '--disable-updates',
        '--no-sandbox',
        '--new-window',
        profile.workspaceDir,
      ],
    });
    const page = await app.firstWindow();
    await page.setViewportSize({ width: 1600, height: 1000 }).catch(() => undefined);
    const pageConsole = new ConsoleRecorder(page);
    return {
      page,
      workspaceDir: profile.workspaceDir,
      markTestStart: () => pageConsole.markTestStart(),
      failureReport: () =>
        [
          pageConsole.report(),
          '=== extension host logs ===',
          extensionHostLogReport(profile.userDataDir),
        ].join('\n'),
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
