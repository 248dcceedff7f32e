import type { TrainingSettings } from '../../core/design';
import { editDesignText } from '../../core/format/editDesignText';
import { TRAINING_KEY_ORDER, TRAINING_SETTING_GROUPS } from '../../core/training/trainingSettingsSpec';
import { editableDesign, replacementPlan, type DocumentEditPlan } from '../planDocumentEdit';

/** The keys the settings form edits: every top-level key of the training settings specification. */
const FORM_KEYS: readonly string[] = TRAINING_KEY_ORDER;

/** Drops undefined values (a cleared form field) and emptied groups, so the block holds only what the user set. */
function compact(settings: TrainingSettings): TrainingSettings {
  const out: TrainingSettings = {};
  for (const [k, v] of Object.entries(settings)) {
    if (v === undefined) continue;
    if ((TRAINING_SETTING_GROUPS as readonly string[]).includes(k) && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const group = Object.fromEntries(Object.entries(v).filter(([, a]) => a !== undefined));
      if (Object.keys(group).length > 0) out[k] = group;
      continue;
    }
    out[k] = v;
  }
  return out;
}

/**
 * The text a design becomes with `settings` as its `training` block, planned like every other edit of
 * the editor (parse, change the design, rewrite only the values that changed) so the host applies it as one undoable
 * WorkspaceEdit. Keys of the block the specification does not know are kept (the analysis reports them). A document that does not parse,
 * or would lose content, is never written.
 */
export function planTrainingSettingsEdit(text: string, settings: TrainingSettings): DocumentEditPlan {
  const editable = editableDesign(text, 'Saving the settings');
  if (!editable.ok) return editable.refusal;
  const kept = Object.fromEntries(Object.entries(editable.design.training).filter(([k]) => !FORM_KEYS.includes(k) || k in settings));
  const training = compact({ ...kept, ...settings });
  // Only the training block's values change; the rest of the file stays as the user laid it out.
  return replacementPlan(text, editDesignText(text, editable.design, { ...editable.design, training }).newText);
}
