import type { TrainingErrorKind, TrainingErrorView } from '../protocol/trainingPanelProtocol';

interface ErrorClass {
  kind: TrainingErrorKind;
  matches: RegExp;
  title: string;
  advice: string;
}

/** Most specific first: the first class whose pattern matches the engine's message wins. */
const CLASSES: ErrorClass[] = [
  {
    // Before `dataset`: the message names the dataset, but the fix is in the design.
    kind: 'design',
    matches: /The output has \d+ units but .* has \d+ classes/,
    title: 'The output layer does not match the dataset\'s classes',
    advice: 'Set the last layer\'s units to the number of classes named above (one score per class), or pick the dataset the design was made for.',
  },
  {
    kind: 'outOfMemory',
    matches: /out of memory|\bOOM\b|allocation|heap limit|Array buffer allocation failed|Invalid typed array length|ENOMEM/i,
    title: 'Training ran out of memory',
    advice: 'Lower the batch size, use fewer or narrower layers (the editor shows each layer\'s activation memory), or train on a smaller input size.',
  },
  {
    kind: 'nonFinite',
    matches: /non-finite|NaN|Infinity|diverged/i,
    title: 'The loss became NaN or infinite',
    advice: 'Lower the learning rate (try 10× smaller), keep standardization on, or add batch normalization; with SGD, lower the momentum.',
  },
  {
    kind: 'dataset',
    matches: /dataset|ENOENT|not found|IDX|cifar|could not be downloaded|image folder|no such file/i,
    title: 'The dataset could not be loaded',
    advice: 'Check the dataset and dataset path in the settings (a folder with the four IDX files for MNIST, the CIFAR-10 binary archive, or one subfolder per class), or pick mnist-sample, which is built in.',
  },
  {
    kind: 'engine',
    matches: /backend|tfjs|wasm|kernel|failed to load|engine|not installed/i,
    title: 'The training engine failed to load',
    advice: 'Choose the "cpu" or "wasm" backend in the settings (both are built in); a native engine needs @tensorflow/tfjs-node installed where CNN Designer looks for it.',
  },
  {
    kind: 'design',
    matches: /training\.|design|input|output|units|classes|shape/i,
    title: 'The design cannot be trained as it is',
    advice: 'Fix the problem named above in the design or its training settings (the editor flags design errors), then train again.',
  },
];

/**
 * Turns an engine error into what the panel shows: what happened and what to do next. `kind` is the
 * engine's own classification when it gave one; otherwise the message is classified by its wording.
 */
export function describeTrainingError(message: string, kind?: TrainingErrorKind): TrainingErrorView {
  if (kind === 'crash') {
    return {
      kind,
      title: 'The training process stopped unexpectedly',
      detail: message,
      advice: 'The editor is unaffected. Train again; if it keeps happening, lower the batch size (a crash is often memory) and see the "CNN Designer" output channel.',
    };
  }
  const ofKind = kind && kind !== 'other' ? CLASSES.filter((c) => c.kind === kind) : [];
  const found = ofKind.find((c) => c.matches.test(message)) ?? ofKind.at(-1) ?? CLASSES.find((c) => c.matches.test(message));
  if (!found) return { kind: 'other', title: 'Training failed', detail: message, advice: 'See the message above; the "CNN Designer" output channel has the full log.' };
  return { kind: found.kind, title: found.title, detail: message, advice: found.advice };
}
