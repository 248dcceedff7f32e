import { resolve } from 'node:path';
import { serializeDesign } from '../core/format/serializeDesign';
import { trainingSettingsFromCli, withTrainingOverrides } from '../core/training/trainingCliOptions';
import { TrainingService } from '../training/service/TrainingService';
import type { CliCommand } from './cliCommand';
import { CliError, readDesignFile } from './cliIo';
import { TRAIN_OPTIONS } from './trainOptions';
import { TrainingRunPrinter } from './TrainingRunPrinter';

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Trains the design (flags override its training settings) into a run folder',
  description:
    'Each run writes <design>.runs/<UTC time>/ beside the design: run.json (design hash, hyperparameters, dataset, seed, limits such as --max-batches, backend and versions), design.cnn.json, metrics.json and model/ (TF.js model.json + weights.bin, saved after every epoch). Ctrl-C cancels and keeps the last completed epoch.',
  positionals: { usage: 'FILE', meaning: 'design file (.cnn.json)', min: 1, max: 1 },
  options: TRAIN_OPTIONS,
  async run(args, out) {
    const [file] = args.positionals;
    const { parsed, design, analysis, diagnostics, text } = readDesignFile(file);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (!design || !analysis || errors.length > 0) {
      for (const d of errors) out.stderr(`${file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}: error${d.nodeId ? ` [${d.nodeId}]` : ''}: ${d.message}\n`);
      throw new CliError(`${file} has errors; fix them before training`, 1);
    }
    // Each setting flag is parsed and range-checked by the training settings specification; a relative --dataset-path is taken from here.
    const { settings: overrides, errors: optionErrors } = trainingSettingsFromCli((name) => args.string(name), (path) => resolve(path));
    if (optionErrors.length > 0) throw new CliError(optionErrors.join('\n'));
    const maxBatches = args.positiveInteger('max-batches');
    const replicas = args.string('replicas') === 'auto' ? 'auto' : args.positiveInteger('replicas');
    const runs = args.string('runs');

    const service = new TrainingService();
    const run = service.start({
      design,
      // A design taking blocks from other files is kept in its run with them, so the run stands on its own.
      designText: design === parsed.design ? text : serializeDesign(design),
      designPath: resolve(file),
      runsFolder: runs ? resolve(runs) : undefined,
      settings: withTrainingOverrides(design.training, overrides),
      limits: maxBatches ? { maxBatchesPerEpoch: maxBatches } : undefined,
      replicas: replicas ?? 'auto',
    });
    const printer = new TrainingRunPrinter(out, run.startedAt, out.terminal === true, maxBatches);
    run.onMessage((message) => printer.onMessage(message));
    const onInterrupt = () => {
      printer.onInterrupt();
      void run.cancel();
    };
    process.once('SIGINT', onInterrupt);
    try {
      const outcome = await run.outcome;
      printer.onOutcome(outcome);
      switch (outcome.kind) {
        case 'completed':
          return outcome.result.status === 'completed' ? 0 : 1;
        case 'cancelled':
          return 130;
        case 'failed':
          throw new CliError(outcome.message, 1);
        case 'crashed':
          throw new CliError(outcome.message, 3);
      }
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
  },
};
