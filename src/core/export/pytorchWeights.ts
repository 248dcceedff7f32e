import type { Design } from '../design';
import { compileGraph } from './compileGraph';
import { transposeTensor } from '../tensors/transposeTensor';
import { kerasToTorch, torchToKeras } from '../tensors/kerasWeightLayout';
import { pytorchModuleNames } from './pytorchBlocks';

export { transposeTensor };

/** A float32 tensor, row-major. */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * The PyTorch state_dict of the exported module, from a TF.js / Keras model's weights named
 * "layer/weight" (as `model.save()` writes them, e.g. "conv1/kernel"): kernels go from
 * channels-last [kh, kw, in, out] to [out, in, kh, kw], Dense kernels are transposed, batch-norm
 * statistics are renamed. The first Dense after a Flatten needs no reordering because the exported
 * module flattens in channels-last order. Throws when a weight is missing or has the wrong shape.
 */
export function toPyTorchStateDict(design: Design, weights: NamedTensor[]): NamedTensor[] {
  const graph = compileGraph(design);
  const byName = new Map<string, NamedTensor>();
  for (const w of weights) {
    const slash = w.name.lastIndexOf('/');
    // TF.js appends "_1", "_2" to repeated variable names; the weight kind is what precedes it.
    const kind = w.name.slice(slash + 1).replace(/_\d+$/, '');
    byName.set(`${w.name.slice(0, slash)}/${kind}`, w);
  }
  const names = pytorchModuleNames(graph);
  const out: NamedTensor[] = [];
  for (const [nodeId, layer] of graph.weightedLayer) {
    // The layer type's Keras mapping says which weights the layer holds, their shape and their place in PyTorch.
    for (const [kind, place] of Object.entries(layer.weights!)) {
      // Exports name layers after sanitized node ids; a model trained in the designer uses the raw id.
      const tensor = byName.get(`${layer.name}/${kind}`) ?? byName.get(`${nodeId}${layer.suffix}/${kind}`);
      if (!tensor) throw new Error(`The weights have no ${layer.name}/${kind} for layer "${nodeId}" (${layer.className}).`);
      const size = tensor.shape.reduce((a, b) => a * b, 1);
      if (size !== tensor.data.length) throw new Error(`${tensor.name} has ${tensor.data.length} values for shape [${tensor.shape.join(', ')}].`);
      const expected = place.shape;
      if (expected.join() !== tensor.shape.join()) {
        throw new Error(`${tensor.name} has shape [${tensor.shape.join(', ')}], but layer "${nodeId}" of the design needs [${expected.join(', ')}]: the weights belong to another design.`);
      }
      const moved = kerasToTorch(place, tensor);
      out.push({ name: `${names.get(nodeId)}.${place.param}`, shape: moved.shape, data: moved.data });
    }
  }
  return out;
}

/**
 * Tensors in the safetensors layout (8-byte little-endian header size, JSON header, raw float32
 * data), which the exported module's `load_weights` reads with nothing but PyTorch.
 */
export function encodeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Aligning the data to 8 bytes lets readers map it in place; spaces are valid JSON padding.
  const headerBytes = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Reads a safetensors file of float32 tensors (what encodeSafetensors and the PyTorch engine write). */
export function decodeSafetensors(bytes: Uint8Array): NamedTensor[] {
  if (bytes.length < 8) throw new Error('not a safetensors file: shorter than its 8-byte header size');
  const headerSize = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerSize > bytes.length) throw new Error(`not a safetensors file: its header claims ${headerSize} bytes of ${bytes.length - 8}`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerSize))) as Record<string, { dtype?: string; shape?: number[]; data_offsets?: [number, number] }>;
  const base = 8 + headerSize;
  const out: NamedTensor[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (info.dtype !== 'F32' || !Array.isArray(info.shape) || !Array.isArray(info.data_offsets)) throw new Error(`${name}: only float32 tensors are read, got ${info.dtype}`);
    const [begin, end] = info.data_offsets;
    const size = info.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== size * 4 || base + end > bytes.length) throw new Error(`${name}: ${end - begin} bytes for shape [${info.shape.join(', ')}]`);
    // Copied: the file's data need not be 4-byte aligned.
    const data = new Float32Array(size);
    new Uint8Array(data.buffer).set(bytes.subarray(base + begin, base + end));
    out.push({ name, shape: info.shape, data });
  }
  return out;
}

/**
 * The inverse of toPyTorchStateDict: the exported module's state_dict (e.g. trained by the PyTorch
 * engine) as the TF.js / Keras weights named in `kerasWeights` ("layer/weight", in that order), with
 * kernels moved back to channels-last. Throws when a weight is missing or has the wrong shape.
 */
export function fromPyTorchStateDict(design: Design, kerasWeights: { name: string; shape: number[] }[], stateDict: NamedTensor[]): NamedTensor[] {
  const graph = compileGraph(design);
  const torchByName = new Map(stateDict.map((t) => [t.name, t]));
  const names = pytorchModuleNames(graph);
  const byPrefix = new Map<string, { nodeId: string; layer: (typeof graph.weightedLayer extends Map<string, infer L> ? L : never) }>();
  for (const [nodeId, layer] of graph.weightedLayer) {
    byPrefix.set(layer.name, { nodeId, layer });
    byPrefix.set(`${nodeId}${layer.suffix}`, { nodeId, layer });
  }
  return kerasWeights.map((w) => {
    const slash = w.name.lastIndexOf('/');
    const kind = w.name.slice(slash + 1).replace(/_\d+$/, '');
    const owner = byPrefix.get(w.name.slice(0, slash));
    // The layer type's Keras mapping says where each of its weights goes in PyTorch.
    const place = owner?.layer.weights?.[kind];
    if (!owner || !place) throw new Error(`The design has no layer for the weight ${w.name}.`);
    const torchName = `${names.get(owner.nodeId)}.${place.param}`;
    const tensor = torchByName.get(torchName);
    if (!tensor) throw new Error(`The PyTorch weights have no ${torchName} for ${w.name}.`);
    // axes maps PyTorch axes to Keras ones; its inverse maps back.
    const expectedTorch = kerasToTorch(place, { data: new Float32Array(0), shape: w.shape }).shape;
    if (expectedTorch.join() !== tensor.shape.join()) throw new Error(`${torchName} has shape [${tensor.shape.join(', ')}], which does not give ${w.name}'s [${w.shape.join(', ')}].`);
    const moved = torchToKeras(place, tensor);
    if (moved.shape.join() !== w.shape.join()) throw new Error(`${torchName} has shape [${tensor.shape.join(', ')}], which does not give ${w.name}'s [${w.shape.join(', ')}].`);
    return { name: w.name, shape: moved.shape, data: moved.data };
  });
}
