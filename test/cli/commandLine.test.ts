import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandHelp, HELP_WIDTH, HelpRequested, parseCommandLine, ParsedCommandLine, type CommandLineSpec } from '../../src/cli/commandLine';
import { CliError } from '../../src/cli/cliIo';
import { CLI_COMMANDS } from '../../src/cli/main';
import { closestName } from '../../src/core/closestName';
import { cli } from '../support/cli';

const ROOT = join(__dirname, '..', '..');
const MNIST = join(ROOT, 'examples', 'mnist-cnn.cnn.json');

const SPEC: CommandLineSpec = {
  name: 'demo',
  summary: 'A command for the tests.',
  positionals: { usage: 'FILE', meaning: 'design file', min: 1, max: 1 },
  options: [
    { name: 'epochs', type: 'string', valueName: 'N', meaning: 'Passes.' },
    { name: 'json', type: 'boolean', meaning: 'JSON.' },
    { name: 'to', type: 'string', valueName: 'TARGET', choices: ['pytorch', 'keras', 'tfjs'], meaning: 'Target.' },
    { name: 'output', short: 'o', type: 'string', valueName: 'OUT', meaning: 'Output.' },
  ],
};

function parse(...argv: string[]): ParsedCommandLine {
  const parsed = parseCommandLine(SPEC, argv);
  assert.ok(parsed instanceof ParsedCommandLine, 'expected a parsed command line, got a help request');
  return parsed;
}

const rejects = (argv: string[], message: RegExp) =>
  assert.throws(
    () => parseCommandLine(SPEC, argv),
    (err: unknown) => err instanceof CliError && message.test(err.message),
    `${argv.join(' ')} should fail with ${message}`,
  );

describe('the CLI command line (one strict parser for every command)', () => {
  it('reads values in both spellings, flags, short aliases and positionals in any order', () => {
    const a = parse('--epochs', '3', 'f.cnn.json', '--json', '-o', 'out', '--to=keras');
    assert.deepEqual(a.positionals, ['f.cnn.json']);
    assert.equal(a.string('epochs'), '3');
    assert.equal(a.positiveInteger('epochs'), 3);
    assert.equal(a.flag('json'), true);
    assert.equal(a.string('output'), 'out');
    assert.equal(a.string('to'), 'keras');
    const b = parse('f', '--epochs=7');
    assert.equal(b.flag('json'), false);
    assert.equal(b.string('output'), undefined);
    assert.equal(b.positiveInteger('epochs'), 7);
    // A value may start with one dash; whether it is acceptable is the command's check.
    assert.throws(() => parse('f', '--epochs', '-1').positiveInteger('epochs'), /--epochs must be a positive integer, got "-1"/);
    assert.throws(() => parse('f', '--epochs', '2.5').positiveInteger('epochs'), /positive integer/);
  });

  it('rejects unknown options with "did you mean" for a near miss', () => {
    rejects(['f', '--epoch', '1'], /^Unknown option --epoch\. Did you mean --epochs\? See: cnn-designer demo --help$/);
    rejects(['f', '--jsno'], /Unknown option --jsno\. Did you mean --json\?/);
    rejects(['f', '--frobnicate'], /^Unknown option --frobnicate\. See/);
    rejects(['f', '-x'], /^Unknown option -x\. See/);
  });

  it('rejects a missing value, a value for a flag, a repeated option, a value outside the choices and wrong positionals', () => {
    rejects(['f', '--epochs'], /--epochs needs a value: --epochs N/);
    rejects(['f', '--output', '--json'], /--output needs a value/);
    rejects(['f', '--json=yes'], /--json takes no value/);
    rejects(['f', '--epochs', '1', '--epochs', '2'], /--epochs is given twice/);
    rejects(['f', '--to', 'pytroch'], /--to "pytroch" is not one of pytorch, keras, tfjs\. Did you mean pytorch\?/);
    rejects([], /Missing design file\. Usage: cnn-designer demo FILE \[options\]/);
    rejects(['a', 'b'], /Unexpected argument "b": demo takes one design file/);
  });

  it('--help anywhere is a help request, whatever else is wrong on the line', () => {
    for (const argv of [['--help'], ['f', '-h'], ['f', '--epoch', '1', '--help'], ['a', 'b', '--help']]) assert.ok(parseCommandLine(SPEC, argv) instanceof HelpRequested, argv.join(' '));
  });

  it('a command reading an option its table does not declare is a programming error', () => {
    assert.throws(() => parse('f').string('epoch'), /does not declare/);
    assert.throws(() => parse('f').flag('epochs'), /does not declare/);
  });

  it('closestName guesses only near misses, and not between equally near names', () => {
    assert.equal(closestName('--epoch', ['--epochs', '--json']), '--epochs');
    assert.equal(closestName('conv_1', ['conv1', 'conv2', 'pool1']), 'conv1');
    assert.equal(closestName('Conv1', ['conv1']), 'conv1');
    assert.equal(closestName('cnov1', ['conv1']), 'conv1');
    assert.equal(closestName('dense', ['conv1', 'pool1']), undefined);
    assert.equal(closestName('conv', ['conv1', 'conv2']), undefined);
  });
});

describe('cnn-designer <command> --help', () => {
  for (const command of CLI_COMMANDS) {
    it(`${command.name} --help lists every option of its table with its meaning, fits ${HELP_WIDTH} columns and exits 0`, async () => {
      const r = await cli(command.name, '--help');
      assert.equal(r.code, 0);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, commandHelp(command));
      assert.match(r.stdout, new RegExp(`^Usage: cnn-designer ${command.name} `));
      for (const option of command.options) {
        const line = r.stdout.split('\n').find((l) => l.includes(`--${option.name}`) && /^\s+(-\w, )?--/.test(l));
        assert.ok(line, `--${option.name} is listed`);
        const firstWords = option.meaning.split(' ').slice(0, 3).join(' ');
        assert.ok(r.stdout.replace(/\s+/g, ' ').includes(firstWords), `the meaning of --${option.name} is shown`);
      }
      for (const line of r.stdout.split('\n')) assert.ok(line.length <= HELP_WIDTH, `too wide (${line.length}): ${line}`);
    });
  }

  it('the list of commands fits 100 columns and points to each command\'s --help', async () => {
    const r = await cli('--help');
    assert.equal(r.code, 0);
    for (const command of CLI_COMMANDS) assert.match(r.stdout, new RegExp(`^  ${command.name} `, 'm'));
    assert.match(r.stdout, /<command> --help/);
    for (const line of r.stdout.split('\n')) assert.ok(line.length <= 100, `too wide: ${line}`);
    assert.equal((await cli('help', 'train')).stdout, (await cli('train', '--help')).stdout);
  });

  it('train FILE --help prints the help and trains nothing', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'cnn-help-'));
    try {
      const r = await cli('train', MNIST, '--epochs', '1', '--runs', runs, '--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /--max-batches N/);
      assert.deepEqual(readdirSync(runs), []);
    } finally {
      rmSync(runs, { recursive: true, force: true });
    }
  });
});

describe('every command rejects a mistyped option before doing any work', () => {
  it('train --epoch (the typo that trained the design\'s own epochs) is an error with a suggestion', async () => {
    const r = await cli('train', MNIST, '--epoch', '1');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown option --epoch\. Did you mean --epochs\?/);
    assert.equal(r.stdout, '');
  });

  it('summary --jsno no longer prints the table', async () => {
    const r = await cli('summary', MNIST, '--jsno');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Did you mean --json\?/);
  });

  for (const [command, typo, meant] of [
    ['validate', '--jsn', undefined],
    ['export', '--ouput', '--output'],
    ['import', '--outptu', '--output'],
    ['train', '--max-batch', '--max-batches'],
  ] as const) {
    it(`${command} ${typo}`, async () => {
      const r = await cli(command, MNIST, typo, 'x');
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^cnn-designer ${command}: Unknown option ${typo}\\.${meant ? ` Did you mean ${meant}\\?` : ''} See: cnn-designer ${command} --help\\n$`));
    });
  }

  it('an unknown command gets a suggestion too', async () => {
    const r = await cli('trian', MNIST);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown command "trian"\. Did you mean train\?/);
  });
});
