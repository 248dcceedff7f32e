import { TFJS_WEIGHTS_BIN, tfjsWeightFiles } from '../../core/export/tfjsWeights';
import type { NamedTensor } from '../../core/export/pytorchWeights';

/** A file to write, by its path (a URI path, `/`-separated) and content. */
export interface FileToWrite {
  path: string;
  content: Uint8Array;
}

const folderOf = (path: string): string => path.slice(0, path.lastIndexOf('/') + 1);
const baseOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * The design's path beside a model file: `resnet50.onnx` → `resnet50.cnn.json`; a TF.js
 * `model.json` (the name every TF.js save uses) takes its folder's name, `mnist/model.json` →
 * `mnist/mnist.cnn.json`.
 */
export function designPathFor(modelPath: string): string {
  let stem = baseOf(modelPath).replace(/\.(onnx|json)$/i, '');
  if (stem.toLowerCase() === 'model') stem = baseOf(folderOf(modelPath).replace(/\/+$/, '')) || stem;
  return `${folderOf(modelPath)}${stem || 'model'}.cnn.json`;
}

/** The weights folder that goes with a design: `resnet50.cnn.json` → `resnet50.weights`, as `cnn-designer import -o` names it. */
export const weightsFolderFor = (designPath: string): string => `${designPath.replace(/(\.cnn)?\.json$/i, '')}.weights`;

/**
 * The files "Save as design" and "Import ONNX / Keras model…" write, as `cnn-designer import
 * MODEL -o DESIGN` writes them: the design and, when the model brought weights (ONNX),
 * `<design>.weights/model.json` with its `weights.bin`, which `cnn-designer export --weights` reads.
 */
export function importedDesignFiles(designPath: string, modelFileName: string, designText: string, weights: NamedTensor[]): FileToWrite[] {
  const files: FileToWrite[] = [{ path: designPath, content: new TextEncoder().encode(designText) }];
  if (weights.length > 0) {
    const folder = weightsFolderFor(designPath);
    const { modelJson, bin } = tfjsWeightFiles(weights, `CNN Designer import of ${modelFileName}`);
    files.push({ path: `${folder}/model.json`, content: new TextEncoder().encode(modelJson) }, { path: `${folder}/${TFJS_WEIGHTS_BIN}`, content: bin });
  }
  return files;
}
