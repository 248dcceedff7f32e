import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'cleanNpmEnvironment.sh');

/** The variables a shell sees after sourcing the script with the given environment. */
function environmentAfterCleaning(env: Record<string, string>): Record<string, string> {
  const out = execFileSync('bash', ['-c', `source "${SCRIPT}" && env -0`], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return Object.fromEntries(
    out
      .split('\0')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('scripts/cleanNpmEnvironment.sh (nested installs of the end-to-end setup)', () => {
  it('removes what an outer `npm test` passes down (the user agent naming its Node), and keeps how to reach the registry', () => {
    const after = environmentAfterCleaning({
      npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
      npm_config_nodedir: '/usr',
      npm_lifecycle_event: 'test',
      npm_package_name: 'cnn-designer',
      NPM_CONFIG_GLOBALCONFIG: '/elsewhere/npmrc',
      INIT_CWD: '/somewhere',
      npm_config_registry: 'https://registry.example/',
      'npm_config_@scope:registry': 'https://scope.example/',
      npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
      npm_config_https_proxy: 'http://proxy.example:3128',
      UNRELATED: 'kept',
    });
    for (const gone of ['npm_config_user_agent', 'npm_config_nodedir', 'npm_lifecycle_event', 'npm_package_name', 'NPM_CONFIG_GLOBALCONFIG', 'INIT_CWD']) {
      assert.equal(after[gone], undefined, `${gone} should be cleared`);
    }
    assert.equal(after.npm_config_registry, 'https://registry.example/');
    assert.equal(after.npm_config_cafile, '/etc/ssl/certs/ca-certificates.crt');
    assert.equal(after.npm_config_https_proxy, 'http://proxy.example:3128');
    assert.equal(after.UNRELATED, 'kept');
  });
});
