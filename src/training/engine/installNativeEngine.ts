/**
 * Installs an optional native TensorFlow engine (`@tensorflow/tfjs-node-gpu` or `-node`) into a
 * folder of its own (the extension's storage), with npm, at the TF.js version the project pins.
 * Its install script downloads libtensorflow, so this needs the network: when it is missing, the
 * error says so plainly. `selectBackend({ nativeEngineFolders: [folder] })` then finds it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TESTED_TFJS_VERSION } from './testedTfjsVersion';

export interface InstallNativeEngineOptions {
  /** Where to install (created when missing); the package lands in its node_modules. */
  folder: string;
  /** The CUDA engine (default) or the CPU-only one. */
  gpu?: boolean;
  /** The npm executable (default: npm from the PATH). */
  npmCommand?: string;
  /** Another npm registry (a mirror). */
  registry?: string;
  /** Each line npm and the package's install script print, for a progress view. */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface InstalledEngine {
  folder: string;
  packageName: string;
  version: string;
}

const NETWORK_ERRORS = /ENOTFOUND|ECONNREFUSED|ECONNRESET|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|getaddrinfo|socket hang up/i;

export async function installNativeEngine(options: InstallNativeEngineOptions): Promise<InstalledEngine> {
  const packageName = options.gpu === false ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
  fs.mkdirSync(options.folder, { recursive: true });
  const manifest = path.join(options.folder, 'package.json');
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, JSON.stringify({ name: 'cnn-designer-engines', private: true }, null, 2));
  const args = ['install', '--no-audit', '--no-fund', '--save-exact', '--fetch-retries=1', '--fetch-retry-mintimeout=2000', '--fetch-retry-maxtimeout=4000', `${packageName}@${TESTED_TFJS_VERSION}`, `@tensorflow/tfjs@${TESTED_TFJS_VERSION}`];
  if (options.registry) args.push(`--registry=${options.registry}`);
  const output: string[] = [];
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(options.npmCommand ?? (process.platform === 'win32' ? 'npm.cmd' : 'npm'), args, { cwd: options.folder, signal: options.signal, shell: process.platform === 'win32' });
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) {
        if (!line.trim()) continue;
        output.push(line);
        options.onProgress?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new Error(`npm was not found (${options.npmCommand ?? 'npm'}): installing the ${packageName} engine needs Node.js and npm on this machine.`));
      else if (error.name === 'AbortError') reject(new Error(`Installing ${packageName} was cancelled.`));
      else reject(error);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
  if (exitCode !== 0) {
    const text = output.join('\n');
    const firstError = output.find((line) => /ERR!|error/i.test(line)) ?? output[output.length - 1] ?? `npm exited with code ${exitCode}`;
    if (NETWORK_ERRORS.test(text)) {
      throw new Error(`Installing ${packageName} needs internet access (the npm registry, then the TensorFlow library download), and this machine seems to be offline: ${firstError.trim()}`);
    }
    throw new Error(`Installing ${packageName} failed (npm exit code ${exitCode}): ${firstError.trim()}`);
  }
  const installed = JSON.parse(fs.readFileSync(path.join(options.folder, 'node_modules', ...packageName.split('/'), 'package.json'), 'utf8')) as { version: string };
  return { folder: options.folder, packageName, version: installed.version };
}
