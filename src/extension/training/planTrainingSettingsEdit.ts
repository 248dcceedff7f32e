import type { TrainingSettings } from '../../core/design';
import { serializeDesign } from '../../core/format/serializeDesign';
import { editableDesign, replacementPlan, type DocumentEditPlan } from '../planDocumentEdit';

/** Drops undefined values (a cleared form field) so the block holds only what the user set. */
function compact(settings: TrainingSettings): TrainingSettings {
  const out: TrainingSettings = {};
  for (const [k, v] of Object.entries(settings)) {
    if (v === undefined) continue;
    if (k === 'augment' && typeof v === 'object' && v !== null) {
      const augment = Object.fromEntries(Object.entries(v).filter(([, a]) => a !== undefined && a !== false && a !== 0));
      if (Object.keys(augment).length > 0) out.augment = augment;
      continue;
    }
    out[k] = v;
  }
  return out;
}

/**
 * The text a design becomes with `settings` as its `training` block, planned like every other edit of
 * the editor (parse, change the design, serialize canonically) so the host applies it as one undoable
 * WorkspaceEdit. Keys of the block the form does not know are kept. A document that does not parse,
 * or would lose content, is never written.
 */
export function planTrainingSettingsEdit(text: string, settings: TrainingSettings): DocumentEditPlan {
  const editable = editableDesign(text, 'Saving the settings');
  if (!editable.ok) return editable.refusal;
  const FORM_KEYS = ['dataset', 'datasetPath', 'epochs', 'batchSize', 'optimizer', 'learningRate', 'momentum', 'schedule', 'decayRate', 'decaySteps', 'validationSplit', 'standardize', 'augment', 'backend', 'seed'];
  const kept = Object.fromEntries(Object.entries(editable.design.training).filter(([k]) => !FORM_KEYS.includes(k) || k in settings));
  const training = compact({ ...kept, ...settings });
  return replacementPlan(text, serializeDesign({ ...editable.design, training }));
}
