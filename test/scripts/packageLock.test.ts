import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('package-lock.json', () => {
  it('is what `npm install` writes for package.json, so a fresh install leaves the tracked file unchanged', function () {
    this.timeout(180_000);
    const dir = mkdtempSync(join(tmpdir(), 'cnn-designer-lock-'));
    try {
      copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
      copyFileSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
      // Only the lock file is computed (nothing is downloaded or run); the registry answers from its metadata.
      execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe', env: cleanEnv() });
      assert.equal(readFileSync(join(dir, 'package-lock.json'), 'utf8'), readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The environment without what an outer npm passes down (an `npm test` running this). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(config_user_agent|lifecycle_|package_)/i.test(k)));
}
