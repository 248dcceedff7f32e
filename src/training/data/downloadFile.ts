import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { basename, dirname, join } from 'node:path';

/** Bytes received so far and the announced total (undefined when the server does not say). */
export interface DownloadProgress {
  url: string;
  received: number;
  total?: number;
}

export interface DownloadOptions {
  /** Expected MD5 (hex) of the whole file: the checksum the dataset authors publish. */
  md5: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Milliseconds without data before giving up. */
  idleTimeoutMs?: number;
}

const md5Of = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');

/** Whether a cached file is complete: present and matching its checksum. */
export function isCachedFileValid(path: string, md5: string): boolean {
  return existsSync(path) && md5Of(readFileSync(path)) === md5.toLowerCase();
}

function fetchTo(url: string, partialPath: string, options: DownloadOptions, redirects = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : url.startsWith('http:') ? http : undefined;
    if (!client) return reject(new Error(`unsupported URL ${url}`));
    const request = client.get(url, { signal: options.signal }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        if (redirects >= 5) return reject(new Error(`${url}: too many redirects`));
        return fetchTo(new URL(response.headers.location, url).toString(), partialPath, options, redirects + 1).then(resolve, reject);
      }
      if (status !== 200) {
        response.resume();
        return reject(new Error(`${url}: HTTP ${status}`));
      }
      const totalHeader = response.headers['content-length'];
      const total = totalHeader === undefined ? undefined : Number(totalHeader);
      const hash = createHash('md5');
      let received = 0;
      let lastReport = 0;
      const file = createWriteStream(partialPath);
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        response.destroy();
        file.destroy();
        reject(err);
      };
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        hash.update(chunk);
        const now = Date.now();
        if (now - lastReport >= 100) {
          lastReport = now;
          options.onProgress?.({ url, received, total });
        }
      });
      response.on('aborted', () => fail(new Error(`${url}: the connection closed after ${received} bytes${total ? ` of ${total}` : ''}`)));
      response.on('error', (err) => fail(new Error(`${url}: ${err.message}`)));
      response.on('close', () => {
        if (!response.complete) fail(new Error(`${url}: the connection closed after ${received} bytes${total ? ` of ${total}` : ''}`));
      });
      file.on('error', (err) => fail(new Error(`cannot write ${partialPath}: ${err.message}`)));
      response.pipe(file);
      file.on('finish', () => {
        if (failed) return;
        if (!response.complete || (total !== undefined && received !== total)) {
          return fail(new Error(`${url}: the connection closed after ${received} bytes${total ? ` of ${total}` : ''}`));
        }
        options.onProgress?.({ url, received, total });
        resolve(hash.digest('hex'));
      });
    });
    request.setTimeout(options.idleTimeoutMs ?? 30_000, () => request.destroy(new Error(`${url}: no data for ${(options.idleTimeoutMs ?? 30_000) / 1000} s`)));
    request.on('error', (err) => reject(err.message.startsWith(url) ? err : new Error(`${url}: ${err.message}`)));
  });
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes temporary files left by downloads whose process was killed (they are never read, only cleaned). */
function removeAbandonedPartials(destination: string): void {
  const prefix = `${basename(destination)}.partial-`;
  for (const name of readdirSync(dirname(destination))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!isRunning(pid)) rmSync(join(dirname(destination), name), { force: true });
  }
}

/**
 * Downloads the first URL that works into `destination`, verifying its MD5. The data goes to a
 * temporary file that is renamed only once complete and verified, so a partial or corrupt download is
 * never used; an already valid `destination` is reused without any network access.
 */
export async function downloadFile(urls: string[], destination: string, options: DownloadOptions): Promise<string> {
  if (isCachedFileValid(destination, options.md5)) return destination;
  mkdirSync(dirname(destination), { recursive: true });
  removeAbandonedPartials(destination);
  const errors: string[] = [];
  for (const url of urls) {
    const partial = `${destination}.partial-${process.pid}-${Date.now()}`;
    try {
      const md5 = await fetchTo(url, partial, options);
      if (md5 !== options.md5.toLowerCase()) throw new Error(`${url}: checksum mismatch (MD5 ${md5}, expected ${options.md5})`);
      renameSync(partial, destination);
      return destination;
    } catch (err) {
      errors.push((err as Error).message);
      if (options.signal?.aborted) break;
    } finally {
      rmSync(partial, { force: true });
    }
  }
  throw new Error(`Download failed: ${errors.join('; ')}`);
}
