import type { Design } from '../../core/design';
import type { NamedTensor } from '../../core/export/pytorchWeights';
import { serializeDesign } from '../../core/format/serializeDesign';
import { importModelJson } from '../../core/import/importModelJson';
import { importOnnx } from '../../core/import/importOnnx';
import { untrustedText } from '../../core/import/untrustedText';
import type { HostToWebviewMessage, ImportProblemView } from '../../protocol/editorProtocol';

/** What an ONNX or Keras model file became: a design (and the weights it brought), or why not. */
export type ImportedModel =
  | {
      ok: true;
      design: Design;
      /** The design as a `.cnn.json` file writes it (and as the editor receives it). */
      designText: string;
      /** The ONNX model's weights, Keras layout, named as the designer's training names them; none from a model.json. */
      weights: NamedTensor[];
      /** What the import did that the user should know (folded BatchNorm, dropped no-ops). */
      notes: string[];
    }
  | {
      ok: false;
      /** One line saying what failed, naming the file. */
      title: string;
      /** Each problem with where it sits in the file (node or layer, its operator or class, its position). */
      problems: ImportProblemView[];
    };

/** Why an imported model is shown read-only, in its editor's banner and when an edit is tried. */
export const IMPORTED_READ_ONLY_REASON =
  'an ONNX model is shown as the design it would import as, and the designer does not write ONNX files back. Save it as a design (.cnn.json) to edit or train it.';

/** Whether a file name is one `importModelFile` reads as ONNX (otherwise as a Keras / TF.js model.json). */
export const isOnnxFileName = (fileName: string): boolean => /\.onnx$/i.test(fileName);

/** The model's name when its file says none: the file name without its extension. */
const fallbackName = (fileName: string): string => fileName.replace(/\.(onnx|json)$/i, '') || 'Imported model';

/**
 * An ONNX model (`.onnx`) or a Keras / TF.js `model.json` as a design, with the CLI's importers
 * (`cnn-designer import`). Never throws: an unreadable, truncated or unsupported file is a failure
 * that lists every problem with its place, for the editor to show instead of a blank page.
 */
export function importModelFile(bytes: Uint8Array, fileName: string): ImportedModel {
  const shownName = untrustedText.printable(fileName);
  try {
    if (isOnnxFileName(fileName)) {
      const result = importOnnx(bytes, fallbackName(fileName));
      if (!result.design) {
        return {
          ok: false,
          title: `${shownName} cannot be shown as a design: ${result.problems.length === 1 ? 'one problem' : `${result.problems.length} problems`}`,
          // Names and operators in the problems are already escaped by the importer.
          problems: result.problems.map((p) => ({ location: onnxLocation(p), message: p.message })),
        };
      }
      return { ok: true, design: result.design, designText: serializeDesign(result.design), weights: result.weights, notes: result.notes };
    }
    const result = importModelJson(new TextDecoder().decode(bytes), fallbackName(fileName));
    if (!result.design) {
      return {
        ok: false,
        title: `${shownName} cannot be imported: ${result.problems.length === 1 ? 'one layer' : `${result.problems.length} layers`} the designer cannot represent`,
        problems: result.problems.map((p) => ({ location: `layer ${p.position} "${p.layerName}" (${p.className})`, message: p.message })),
      };
    }
    return { ok: true, design: result.design, designText: serializeDesign(result.design), weights: [], notes: [] };
  } catch (err) {
    return { ok: false, title: `${shownName} could not be read`, problems: [{ message: err instanceof Error ? err.message : String(err) }] };
  }
}

/** "node 12 "/layer1/Conv" (Conv)", as the CLI prints it; nothing for a problem of the whole file. */
function onnxLocation(p: { position: number; nodeName: string; opType: string }): string | undefined {
  const parts = [p.position ? `node ${p.position}` : '', p.nodeName ? `"${p.nodeName}"` : '', p.opType ? `(${p.opType})` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}

/**
 * What the editor is told about a model file: the design it imports as, read-only with the reason
 * and "Save as design" offered, or why it does not import. `version` counts readings of the file.
 */
export function importedModelMessage(imported: ImportedModel, fileName: string, version: number): HostToWebviewMessage {
  if (!imported.ok) return { type: 'importFailed', fileName, title: imported.title, problems: imported.problems };
  return { type: 'document', text: imported.designText, version, fileName, readOnly: true, readOnlyReason: IMPORTED_READ_ONLY_REASON, imported: true };
}
