import type { Design } from '../design';
import { compileGraph } from './compileGraph';
import { exportKeras } from './exportKeras';
import { exportPyTorch } from './exportPyTorch';
import { exportTfjs } from './exportTfjs';
import { exportTrainScript } from './exportTrainScript';
import { fileStem } from './identifierNames';

export type ExportTarget = 'pytorch' | 'keras' | 'tfjs';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['pytorch', 'keras', 'tfjs'];

export interface ExportedFile {
  fileName: string;
  code: string;
}

export interface ExportOptions {
  /** PyTorch only: add a standalone train.py using the design's training settings. */
  trainScript?: boolean;
}

/**
 * Code for a design in one target: the model file first (named after the design), then, for
 * PyTorch with `trainScript`, `train.py`. Throws an Error naming the problems when the design has
 * analysis errors, and for an unknown target.
 */
export function exportDesign(design: Design, target: ExportTarget, options: ExportOptions = {}): { files: ExportedFile[] } {
  if (!EXPORT_TARGETS.includes(target)) throw new Error(`Unknown export target "${String(target)}": use one of ${EXPORT_TARGETS.join(', ')}.`);
  const graph = compileGraph(design);
  const stem = fileStem(design.name);
  switch (target) {
    case 'pytorch': {
      const files = [{ fileName: `${stem}.py`, code: exportPyTorch(graph) }];
      if (options.trainScript) files.push({ fileName: 'train.py', code: exportTrainScript(graph, stem) });
      return { files };
    }
    case 'keras':
      return { files: [{ fileName: `${stem}_keras.py`, code: exportKeras(graph) }] };
    case 'tfjs':
      return { files: [{ fileName: `${stem}.js`, code: exportTfjs(graph) }] };
  }
}
