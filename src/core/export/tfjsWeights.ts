import type { NamedTensor } from './pytorchWeights';

interface WeightsManifestGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[];
}

/**
 * The weights of a saved TF.js model (`model.json` and its `.bin` shards, as `model.save()` writes
 * them) as named float32 tensors. `readShard` reads a path of the manifest (relative to the
 * model.json; the caller checks it stays inside the model folder). Throws on what it cannot decode (quantized or non-float32 weights, short shards).
 */
export function readTfjsWeights(modelJson: unknown, readShard: (path: string) => Uint8Array): NamedTensor[] {
  const manifest = (modelJson as { weightsManifest?: WeightsManifestGroup[] } | null)?.weightsManifest;
  if (!Array.isArray(manifest)) throw new Error('The model.json has no weightsManifest: it holds no weights.');
  const tensors: NamedTensor[] = [];
  for (const group of manifest) {
    if (!Array.isArray(group?.paths) || !group.paths.every((p) => typeof p === 'string')) throw new Error('A weightsManifest group needs "paths", a list of weight file names.');
    if (!Array.isArray(group.weights)) throw new Error('A weightsManifest group needs "weights", a list of weight specifications.');
    const shards = group.paths.map((p) => readShard(p));
    const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
    let at = 0;
    for (const s of shards) {
      bytes.set(s, at);
      at += s.length;
    }
    let offset = 0;
    for (const w of group.weights) {
      if (w.quantization) throw new Error(`Weight ${w.name} is quantized; save the model without quantization to export it.`);
      if (w.dtype !== 'float32') throw new Error(`Weight ${w.name} is ${w.dtype}; only float32 weights can be exported.`);
      const size = w.shape.reduce((a, b) => a * b, 1);
      const end = offset + 4 * size;
      if (end > bytes.length) throw new Error(`The weight files end before ${w.name} (needs bytes ${offset}–${end}, has ${bytes.length}).`);
      const data = new Float32Array(size);
      new Uint8Array(data.buffer).set(bytes.subarray(offset, end));
      tensors.push({ name: w.name, shape: [...w.shape], data });
      offset = end;
    }
  }
  return tensors;
}

/** File name of the one weight shard `tfjsWeightFiles` writes. */
export const TFJS_WEIGHTS_BIN = 'weights.bin';

/**
 * Named float32 tensors as a weights-only TF.js `model.json` and its one shard (the layout
 * `readTfjsWeights` and `export --weights` read), e.g. the weights an ONNX import brings along.
 */
export function tfjsWeightFiles(weights: NamedTensor[], generatedBy: string): { modelJson: string; bin: Uint8Array } {
  const bin = new Uint8Array(weights.reduce((n, w) => n + w.data.byteLength, 0));
  let at = 0;
  for (const w of weights) {
    bin.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), at);
    at += w.data.byteLength;
  }
  const manifest: WeightsManifestGroup[] = [{ paths: [`./${TFJS_WEIGHTS_BIN}`], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }];
  return { modelJson: `${JSON.stringify({ format: 'weights-only', generatedBy, weightsManifest: manifest }, null, 2)}\n`, bin };
}
