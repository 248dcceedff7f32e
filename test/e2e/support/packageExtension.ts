// Packages the extension exactly as it would be published (the project's `npm run package`), so the
// suite tests the .vsix a user installs, not the development folder.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './workbenchProfile';

interface PackageManifest {
  readonly scripts?: Readonly<Record<string, string>>;
}

/** Returns the path of a freshly built .vsix (or of CNN_DESIGNER_E2E_VSIX when set, unbuilt). */
export function packageExtension(): string {
  const given = process.env.CNN_DESIGNER_E2E_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`CNN_DESIGNER_E2E_VSIX names a missing file: ${given}`);
    return given;
  }
  const manifest = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as PackageManifest;
  if (!manifest.scripts?.package) throw new Error('package.json has no "package" script to build the .vsix with');
  const startedAt = Date.now();
  // Piped, not shown: a failure's message carries the script's stderr.
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: REPOSITORY_ROOT, stdio: 'pipe', encoding: 'utf8' });
  // The script names its output; take the .vsix it just wrote.
  const written = readdirSync(REPOSITORY_ROOT)
    .filter((name) => name.endsWith('.vsix'))
    .map((name) => join(REPOSITORY_ROOT, name))
    .filter((path) => statSync(path).mtimeMs >= startedAt - 1000);
  if (written.length !== 1) {
    throw new Error(`npm run package should write one .vsix in ${REPOSITORY_ROOT}; found ${written.length} new ones`);
  }
  return written[0]!;
}
