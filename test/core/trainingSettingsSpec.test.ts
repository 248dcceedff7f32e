/**
 * Walks the training settings specification through every consumer: the JSON schema, the analysis,
 * the serializer, the training panel's message validation, the trainer's resolution, the CLI's
 * `train` options and the exported train.py's flags (run in Python). Then fuzzes training blocks:
 * whatever the analysis accepts, export and the trainer's resolution take without throwing.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import type { Design } from '../../src/core/design';
import { trainingSettingsMarkdown } from '../../src/core/docs/trainingSettingsMarkdown';
import { exportDesign } from '../../src/core/export/exportDesign';
import { designSchema } from '../../src/core/format/designSchema';
import { parseDesign } from '../../src/core/format/parseDesign';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { resolveTrainingDefaults } from '../../src/core/training/resolveTrainingDefaults';
import { TRAINING_CLI_OPTIONS, trainingSettingsFromCli } from '../../src/core/training/trainingCliOptions';
import { settingDefault, TRAINING_KEY_ORDER, TRAINING_SETTINGS, type TrainingSettings, type TrainingSettingSpec } from '../../src/core/training/trainingSettingsSpec';
import { validateTrainingSettings } from '../../src/core/training/validateTrainingSettings';
import { InvalidPanelMessageError, validateTrainingPanelMessage } from '../../src/extension/training/validateTrainingPanelMessage';
import { resolveTrainingSettings } from '../../src/training/trainer/resolveTrainingSettings';
import { runPython } from '../export/support/python';

const SPECS: readonly TrainingSettingSpec[] = TRAINING_SETTINGS;
const mnistText = readFileSync('examples/mnist-cnn.cnn.json', 'utf8');
const mnist = parseDesign(mnistText).design!;
const withTraining = (training: Record<string, unknown>): Design => ({ ...mnist, training: training as TrainingSettings });
const validate = new Ajv({ strict: false, allErrors: true }).compile(designSchema());

/** A block that sets one setting (nested keys inside their group). */
function block(key: string, value: unknown): Record<string, unknown> {
  const [head, tail] = key.split('.');
  return tail === undefined ? { [head]: value } : { [head]: { [tail]: value } };
}

/** A value the setting accepts other than its default: what a user would set. */
function otherValue(spec: TrainingSettingSpec): unknown {
  switch (spec.kind) {
    case 'int':
      return spec.min + 5 === spec.default ? spec.min + 6 : spec.min + 5;
    case 'number':
      return spec.max === undefined ? spec.min + 0.25 : (spec.min + spec.max) / 4 || spec.max / 4;
    case 'bool':
      return !spec.default;
    case 'enum':
      return spec.options.find((o) => o !== spec.default)!;
    case 'path':
      return 'data/images';
  }
}

/** Values the setting must refuse: out of range, of the wrong type. */
function badValues(spec: TrainingSettingSpec): unknown[] {
  switch (spec.kind) {
    case 'int':
      return [spec.min - 1, spec.max + 1, spec.min + 0.5, String(spec.min), null];
    case 'number':
      return [spec.minExclusive ? spec.min : spec.min - 1, ...(spec.max === undefined ? [] : [spec.maxExclusive ? spec.max : spec.max + 1]), String(spec.min + 1), true];
    case 'bool':
      return ['yes', 1, null];
    case 'enum':
      return ['nope', 3, ''];
    case 'path':
      return ['', 7, 'a'.repeat(spec.maxLength + 1), 'data\0/x'];
  }
}

const defaultOf = (spec: TrainingSettingSpec, training: Record<string, unknown> = {}): unknown => settingDefault(spec, training);
const errorsAt = (training: Record<string, unknown>, key: string) =>
  analyzeDesign(withTraining(training)).diagnostics.filter((d) => d.severity === 'error' && d.path?.join('.') === `training.${key}`);

describe('training settings specification: every setting round-trips through every consumer', () => {
  it('lists each setting once, with a doc line, a flag and at least one engine', () => {
    assert.equal(new Set(SPECS.map((s) => s.key)).size, SPECS.length);
    assert.equal(new Set(SPECS.map((s) => s.flag)).size, SPECS.length);
    for (const spec of SPECS) {
      assert.ok(spec.doc.length > 10 && !spec.doc.includes('\n'), spec.key);
      assert.ok(spec.engines.length > 0, spec.key);
      assert.match(spec.flag, /^[a-z0-9]+(-[a-z0-9]+)*$/, spec.key);
    }
  });

  for (const spec of SPECS) {
    describe(`training.${spec.key}`, () => {
      const good = [...(spec.default === undefined ? [] : [defaultOf(spec)]), otherValue(spec)];

      it('JSON schema and analysis: accept its default and another valid value, refuse bad ones where they are', () => {
        for (const value of good) {
          const training = block(spec.key, value);
          assert.ok(validate({ ...JSON.parse(mnistText), training }), `schema refuses ${JSON.stringify(value)}: ${JSON.stringify(validate.errors)}`);
          assert.deepEqual(errorsAt(training, spec.key), [], `analysis refuses ${JSON.stringify(value)}`);
        }
        for (const value of badValues(spec)) {
          const training = block(spec.key, value);
          assert.ok(!validate({ ...JSON.parse(mnistText), training }), `schema accepts ${JSON.stringify(value)}`);
          const errors = errorsAt(training, spec.key);
          assert.equal(errors.length, 1, `analysis accepts ${JSON.stringify(value)}`);
          const located = analyzeDocument(serializeDesign(withTraining(training))).diagnostics.find((d) => d.path?.join('.') === `training.${spec.key}`);
          const line = serializeDesign(withTraining(training)).split('\n').findIndex((l) => l.includes(`"${spec.key.split('.').pop()}": `)) + 1;
          assert.equal(located?.line, line, 'the Problems panel and validate show it on its line');
        }
      });

      it('serializer: written in the specification order and read back unchanged', () => {
        const training = { ...block(spec.key, otherValue(spec)), seed: 7 };
        const text = serializeDesign(withTraining(training));
        assert.deepEqual(parseDesign(text).design!.training, training);
        const keys = Object.keys(parseDesign(text).design!.training);
        assert.deepEqual(keys, TRAINING_KEY_ORDER.filter((k) => keys.includes(k)));
      });

      it('panel message validation: accepts valid values, refuses bad ones naming the field', () => {
        for (const value of good) {
          const message = validateTrainingPanelMessage({ type: 'start', settings: block(spec.key, value) });
          assert.deepEqual(message, { type: 'start', settings: block(spec.key, value) });
        }
        for (const value of badValues(spec)) {
          assert.throws(() => validateTrainingPanelMessage({ type: 'start', settings: block(spec.key, value) }), (e: Error) => e instanceof InvalidPanelMessageError && e.message.startsWith(`settings.${spec.key} must be`));
        }
      });

      it("trainer's resolution: the default when absent, the value when set, an error naming the field when bad", () => {
        const resolvedDefault = resolveTrainingSettings({}) as unknown as Record<string, unknown>;
        const read = (resolved: Record<string, unknown>): unknown => spec.key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], resolved);
        assert.equal(read(resolvedDefault), defaultOf(spec));
        const set = read(resolveTrainingSettings(block(spec.key, otherValue(spec)) as TrainingSettings, '/designs') as unknown as Record<string, unknown>);
        // A relative path is taken from the design's folder.
        assert.equal(set, spec.kind === 'path' ? join('/designs', otherValue(spec) as string) : otherValue(spec));
        for (const value of badValues(spec)) assert.throws(() => resolveTrainingSettings(block(spec.key, value) as TrainingSettings), new RegExp(`training\\.${spec.key.replace('.', '\\.')} must be`));
      });

      it('CLI: a train option with the flag name parses to the value, and refuses bad text', () => {
        const option = TRAINING_CLI_OPTIONS.find((o) => o.setting === spec.key);
        if (!spec.engines.includes('tfjs')) return assert.equal(option, undefined);
        assert.ok(option && option.name === spec.flag && option.meaning.length > 10);
        const value = otherValue(spec);
        const parsed = trainingSettingsFromCli((name) => (name === spec.flag ? String(value) : undefined));
        assert.deepEqual(parsed, { settings: block(spec.key, value), errors: [] });
        const bad = spec.kind === 'int' || spec.kind === 'number' ? badValues(spec).filter((v) => typeof v === 'number') : spec.kind === 'enum' ? ['nope'] : [];
        for (const v of bad) assert.match(trainingSettingsFromCli((name) => (name === spec.flag ? String(v) : undefined)).errors.join(), new RegExp(`^--${spec.flag} must be`));
      });
    });
  }

  it('docs/format.md holds the table generated from the specification (run scripts/buildDocs.ts after a change)', () => {
    assert.ok(readFileSync('docs/format.md', 'utf8').includes(trainingSettingsMarkdown()), 'the training settings table is out of date');
  });

  it('the reported cases: "dataset": -1 and augment.translate 0.9 are located errors, and export lists them instead of crashing', () => {
    for (const [training, key, line] of [
      [{ dataset: -1 }, 'training.dataset', /"dataset": -1/],
      [{ augment: { translate: 0.9 } }, 'training.augment.translate', /"translate": 0\.9/],
    ] as const) {
      const text = serializeDesign(withTraining(training));
      const { diagnostics, valid } = analyzeDocument(text);
      assert.equal(valid, false);
      const error = diagnostics.find((d) => d.severity === 'error' && d.path?.join('.') === key)!;
      assert.match(text.split('\n')[error.line! - 1], line);
      assert.throws(() => exportDesign(withTraining(training), 'pytorch', { trainScript: true }), (e: Error) => !(e instanceof TypeError) && e.message.includes(key));
    }
  });

  it('dependent defaults follow the setting they depend on, in the trainer and in the core', () => {
    assert.equal(resolveTrainingSettings({ optimizer: 'sgd' }).learningRate, 0.01);
    assert.equal(resolveTrainingSettings({ optimizer: 'sgd' }).momentum, 0.9);
    assert.equal(resolveTrainingSettings({ optimizer: 'rmsprop' }).momentum, 0);
    assert.equal(resolveTrainingSettings({ schedule: 'step' }).decayRate, 0.1);
    assert.equal(resolveTrainingDefaults({ schedule: 'exponential' }).decayRate, 0.95);
  });

  it('unknown keys are located errors with "did you mean", in the block and in its groups', () => {
    const diagnostics = analyzeDesign(withTraining({ epoch: 3, augment: { flip: true } })).diagnostics.filter((d) => d.code === 'unknown-training-setting');
    assert.deepEqual(
      diagnostics.map((d) => d.path),
      [
        ['training', 'epoch'],
        ['training', 'augment', 'flip'],
      ],
    );
    assert.match(diagnostics[0].message, /did you mean "epochs"/);
    const problems = validateTrainingSettings({ momentum: 0.5, decaySteps: 3 });
    assert.deepEqual(
      problems.map((p) => [p.severity, p.path?.join('.')]),
      [
        ['warning', 'training.momentum'],
        ['warning', 'training.decaySteps'],
      ],
    );
  });
});

describe('train.py: every flag the specification gives the PyTorch engine, with its doc and the same default', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-settings-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Exports the design with `training` as train_<name>.py and returns the module name. */
  const exportAs = (name: string, training: Record<string, unknown>): string => {
    for (const f of exportDesign(withTraining(training), 'pytorch', { trainScript: true }).files) writeFileSync(join(dir, f.fileName === 'train.py' ? `train_${name}.py` : f.fileName), f.code);
    return `train_${name}`;
  };

  /** The parsed arguments of exported scripts, in one Python process: {module: vars(args)}. */
  const parsedArgs = (modules: string[], argv: string[] = []): Record<string, Record<string, unknown>> => {
    const code = `import json, sys, importlib\nout = {}\nfor name in ${JSON.stringify(modules)}:\n    sys.argv = ["train.py"] + ${JSON.stringify(argv)}\n    out[name] = vars(importlib.import_module(name).parse_args())\nprint(json.dumps(out))`;
    return JSON.parse(runPython(['-c', code], { cwd: dir }).stdout.trim().split('\n').pop()!);
  };

  it('--help lists every flag with its doc line', () => {
    const module = exportAs('help', {});
    // A wide terminal, so argparse does not wrap the help (it breaks lines at hyphens too).
    const help = runPython([`${module}.py`, '--help'], { cwd: dir, env: { COLUMNS: '1000' } }).stdout.replace(/\s+/g, ' ');
    for (const spec of SPECS) {
      if (!spec.engines.includes('pytorch')) {
        assert.ok(!help.includes(`--${spec.flag} `), `${spec.flag} is not for train.py`);
        continue;
      }
      assert.ok(help.includes(`--${spec.flag} `), `--${spec.flag} missing`);
      assert.ok(help.includes(spec.doc.replace(/\s+/g, ' ')), `--${spec.flag}'s doc missing`);
    }
  });

  it("defaults equal the trainer's, for an empty block, a block that sets everything, and dependent defaults after a flag", () => {
    const everything = Object.assign({}, ...SPECS.filter((s) => s.engines.includes('pytorch')).map((s) => block(s.key, otherValue(s))));
    // Groups are merged key by key.
    everything.augment = Object.assign({}, ...SPECS.filter((s) => s.key.startsWith('augment.')).map((s) => block(s.key, otherValue(s)).augment));
    const args = parsedArgs([exportAs('empty', {}), exportAs('everything', everything)]);
    for (const [module, training] of [
      ['train_empty', {}],
      ['train_everything', everything],
    ] as const) {
      const resolved = resolveTrainingDefaults(training as TrainingSettings) as unknown as Record<string, unknown>;
      for (const spec of SPECS.filter((s) => s.engines.includes('pytorch'))) {
        const expected = spec.key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], resolved);
        const actual = args[module][spec.flag.replace(/-/g, '_')];
        if (spec.kind === 'path') assert.equal(actual, expected === undefined ? null : join(dir, expected as string), `${module} --${spec.flag}`);
        else assert.equal(actual, expected ?? null, `${module} --${spec.flag}`);
      }
    }
    const sgd = parsedArgs(['train_empty'], ['--optimizer', 'sgd', '--schedule', 'step']).train_empty;
    assert.deepEqual([sgd.learning_rate, sgd.momentum, sgd.decay_rate], [0.01, 0.9, 0.1]);
  });

  it('refuses unknown dataset names and out-of-range values with one line, and offline says so without a traceback', () => {
    const module = exportAs('errors', { dataset: 'mnist' });
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
      try {
        runPython([`${module}.py`, ...args], { cwd: dir, env });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    assert.match(run(['--dataset', 'fashionmnist']), /argument --dataset: invalid choice: 'fashionmnist'/);
    assert.match(run(['--translate', '0.9']), /argument --translate: 0\.9 is not a number in \[0, 0\.5\)/);
    const offline = { http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' };
    const message = run(['--dataset-path', join(dir, 'nowhere'), '--epochs', '1'], offline);
    assert.match(message, /train\.py: dataset path not found: /);
    const download = run(['--epochs', '1', '--workers', '0'], offline);
    assert.match(download, /train\.py: mnist could not be downloaded into .*Download it when online, or point --dataset-path at local files\./);
    assert.ok(!download.includes('Traceback'), download);
  });
});

describe('training settings fuzz: whatever the analysis accepts, export and the trainer take', function () {
  this.timeout(120_000);
  it('2,000 random training blocks (valid, out of range, wrong types, unknown keys)', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const anyValue = (): unknown => pick([-1, 0, 0.5, 0.9, 1, 2.5, 1e9, -1e-9, Number.MAX_SAFE_INTEGER, 'x', '', true, false, null, [], {}, 'mnist', 'sgd']);
    const counts = { blocks: 0, accepted: 0, rejected: 0, exported: 0, pythonParsed: 0 };
    const scripts: { training: Record<string, unknown>; files: { fileName: string; code: string }[] }[] = [];
    for (let i = 0; i < 2000; i++) {
      const training: Record<string, unknown> = {};
      const put = (key: string, value: unknown): void => {
        const [head, tail] = key.split('.');
        if (tail === undefined) training[head] = value;
        else training[head] = { ...(typeof training[head] === 'object' ? (training[head] as object) : {}), [tail]: value };
      };
      // A valid block (defaults and other values), then in half of them one or two values spoilt.
      for (const spec of SPECS) if (random() < 0.5) put(spec.key, random() < 0.3 && spec.default !== undefined ? defaultOf(spec, training) : otherValue(spec));
      if (random() < 0.5) for (let k = random() < 0.5 ? 1 : 2; k > 0; k--) {
        const spec = pick(SPECS);
        put(spec.key, random() < 0.6 ? pick(badValues(spec)) : anyValue());
      }
      if (random() < 0.1) Object.defineProperty(training, pick(['epoch', 'lr', '__proto__', 'constructor', 'augment']), { value: anyValue(), enumerable: true, writable: true, configurable: true });
      counts.blocks++;
      const analysis = analyzeDesign(withTraining(training));
      const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
      const cli = trainingSettingsFromCli((name) => {
        const option = TRAINING_CLI_OPTIONS.find((o) => o.name === name)!;
        const value = option.setting.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], training);
        return value === undefined || typeof value === 'object' ? undefined : String(value);
      });
      assert.ok(Array.isArray(cli.errors));
      if (errors.length > 0) {
        counts.rejected++;
        assert.ok(errors.every((d) => d.path?.[0] === 'training'), JSON.stringify(errors));
        assert.throws(() => resolveTrainingSettings(training as TrainingSettings), /training\./);
        continue;
      }
      counts.accepted++;
      assert.doesNotThrow(() => resolveTrainingSettings(training as TrainingSettings), JSON.stringify(training));
      const files = exportDesign(withTraining(training), 'pytorch', { trainScript: true }).files;
      assert.ok(files.some((f) => f.fileName === 'train.py'));
      counts.exported++;
      if (scripts.length < 30) scripts.push({ training, files });
    }
    // The first 30 accepted blocks' train.py parse their own defaults in Python, one process for all.
    const dir = mkdtempSync(join(tmpdir(), 'cnn-settings-fuzz-'));
    try {
      const modules = scripts.map(({ files }, i) => {
        for (const f of files) writeFileSync(join(dir, f.fileName === 'train.py' ? `train_fuzz_${i}.py` : f.fileName), f.code);
        return `train_fuzz_${i}`;
      });
      const code = `import json, sys, importlib\nout = []\nfor name in ${JSON.stringify(modules)}:\n    sys.argv = ["train.py"]\n    out.append(vars(importlib.import_module(name).parse_args()))\nprint(json.dumps(out))`;
      const parsed = JSON.parse(runPython(['-c', code], { cwd: dir }).stdout.trim().split('\n').pop()!) as Record<string, unknown>[];
      parsed.forEach((args, i) => assert.equal(args.epochs, resolveTrainingDefaults(scripts[i].training as TrainingSettings).epochs));
      counts.pythonParsed = parsed.length;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`      training fuzz: ${counts.blocks} blocks, ${counts.accepted} accepted (${counts.exported} exported and resolved, ${counts.pythonParsed} train.py parsed in Python), ${counts.rejected} rejected with located errors`);
    assert.ok(counts.accepted > 200 && counts.rejected > 200, JSON.stringify(counts));
  });
});
