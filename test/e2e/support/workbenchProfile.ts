// A throwaway VS Code profile for one suite run: user data, extensions and a workspace folder in a
// temp folder, so nothing is read from or written to the home folder, plus the user settings that
// keep the workbench quiet and fast (no git scan, no chat, no telemetry, no experiments).
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, statSync, readFileSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PYTHON } from '../../export/support/python';

export const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

/**
 * User settings for the test profile: each one removes startup work or a prompt that could cover the
 * UI, and the PyTorch engine is pointed at the Python that has torch (a version manager's `python3`
 * on the PATH may lack it), as a user with such a machine does.
 */
export const E2E_USER_SETTINGS: Readonly<Record<string, unknown>> = {
  'cnnDesigner.python.path': PYTHON,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'git.openRepositoryInParentFolders': 'never',
  'scm.autoReveal': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'chat.agent.enabled': false,
  'chat.setupFromDialog': false,
  'telemetry.telemetryLevel': 'off',
  'telemetry.feedback.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.editor.enablePreview': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'npm.autoDetect': 'off',
  'typescript.tsserver.experimental.enableProjectDiagnostics': false,
  'files.autoSave': 'off',
  // The workbench's own save dialog, the same in a browser and in Electron (no native dialog).
  'files.simpleDialog.enable': true,
  'files.hotExit': 'off',
  'window.confirmBeforeClose': 'never',
  'window.restoreWindows': 'none',
};

export interface WorkbenchProfile {
  readonly root: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly workspaceDir: string;
}

/**
 * Creates the profile folders, the settings file and a workspace holding the example designs plus
 * `seedFiles` (name → text or bytes). Files a test needs are written before the workbench starts: the
 * explorer shows files created later only once the file watcher reports them, which is not prompt.
 */
export function createWorkbenchProfile(seedFiles: ReadonlyMap<string, string | Uint8Array>): WorkbenchProfile {
  const root = mkdtempSync(join(tmpdir(), 'cnn-designer-e2e-'));
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  const workspaceDir = join(root, 'workspace');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settings = JSON.stringify(E2E_USER_SETTINGS, null, 2);
  writeFileSync(join(userDataDir, 'User', 'settings.json'), settings);
  // code-server also reads machine-scoped settings from here; the same values apply.
  writeFileSync(join(userDataDir, 'Machine', 'settings.json'), settings);
  mkdirSync(workspaceDir);
  const examples = join(REPOSITORY_ROOT, 'examples');
  for (const name of readdirSync(examples).filter((n) => n.endsWith('.cnn.json'))) cpSync(join(examples, name), join(workspaceDir, name));
  for (const [name, text] of seedFiles) writeFileSync(join(workspaceDir, name), text);
  return { root, userDataDir, extensionsDir, workspaceDir };
}

export function removeWorkbenchProfile(profile: WorkbenchProfile): void {
  rmSync(profile.root, { recursive: true, force: true, maxRetries: 3 });
}

/** The tail of every extension host log (activation errors, output channels) under the user data dir, built-in extensions' aside. */
export function extensionHostLogReport(userDataDir: string, maxCharsPerFile = 6000): string {
  const logsDir = join(userDataDir, 'logs');
  const files: string[] = [];
  const walk = (dir: string, insideExtensionHost: boolean): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry);
      const inside = insideExtensionHost || entry.startsWith('exthost');
      // Built-in extensions' own logs (git, GitHub sign-in) are noise here.
      if (entry.startsWith('vscode.')) continue;
      if (statSync(path).isDirectory()) walk(path, inside);
      else if (inside && statSync(path).size > 0) files.push(path);
    }
  };
  walk(logsDir, false);
  if (files.length === 0) return `(no extension host logs under ${logsDir})`;
  return files
    .map((file) => {
      const text = readFileSync(file, 'utf8');
      const tail = text.length > maxCharsPerFile ? `…${text.slice(-maxCharsPerFile)}` : text;
      return `--- ${relative(userDataDir, file)} ---\n${tail.trimEnd()}`;
    })
    .join('\n');
}
