import type { Design } from '../design';
import { compileGraph } from './compileGraph';
import { transposeTensor } from '../tensors/transposeTensor';

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
  const names = new Map(graph.nodes.map((c) => [c.node.id, c.name]));
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
      const moved = place.axes ? transposeTensor(tensor.data, tensor.shape, place.axes) : { data: tensor.data, shape: tensor.shape };
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
