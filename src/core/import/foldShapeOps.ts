import type { Shape } from '../design';
import { ONNX_TENSOR_INT32, ONNX_TENSOR_INT64, type OnnxNode, type OnnxTensor } from '../onnx/onnxModel';

/** The batch size in a folded shape: unknown while reading (the axis is dynamic), written as -1. */
export const UNKNOWN_BATCH = -1;

const isInts = (t: OnnxTensor | undefined): t is OnnxTensor & { ints: number[] } => !!t && (t.dataType === ONNX_TENSOR_INT64 || t.dataType === ONNX_TENSOR_INT32) && !!t.ints;
const ints = (values: number[], dims: number[] = [values.length]): OnnxTensor => ({ name: '', dims, dataType: ONNX_TENSOR_INT64, ints: values });

/** A designer (channels-last, batch-less) shape as ONNX's channels-first (N, C, …) with an unknown batch. */
function channelsFirstShape(shape: Shape): number[] {
  return shape.length === 1 ? [UNKNOWN_BATCH, shape[0]] : [UNKNOWN_BATCH, shape[shape.length - 1], ...shape.slice(0, -1)];
}

const intAttribute = (node: OnnxNode, name: string): number | undefined => {
  const a = node.attributes[name];
  return a?.kind === 'int' ? a.value : undefined;
};

/**
 * The int64 tensor a shape computation gives, when its inputs are known: Shape of a tensor the
 * import has read, and Slice, Gather, Concat, Unsqueeze, Squeeze and Cast of integer constants.
 * torch.onnx.export computes Resize's sizes this way (the input's N and C, then the new height and
 * width). Undefined when the operator is none of these or an input is not known.
 */
export function foldShapeOp(node: OnnxNode, constantOf: (name: string) => OnnxTensor | undefined, shapeOf: (name: string) => Shape | undefined): OnnxTensor | undefined {
  const input = (i: number) => (node.inputs[i] ? constantOf(node.inputs[i]) : undefined);
  const vector = (i: number): number[] | undefined => {
    const t = input(i);
    return isInts(t) && t.dims.length <= 1 ? t.ints : undefined;
  };
  switch (node.opType) {
    case 'Shape': {
      const shape = shapeOf(node.inputs[0]);
      if (!shape) return undefined;
      const full = channelsFirstShape(shape);
      const clamp = (i: number) => Math.max(0, Math.min(full.length, i < 0 ? i + full.length : i));
      return ints(full.slice(clamp(intAttribute(node, 'start') ?? 0), clamp(intAttribute(node, 'end') ?? full.length)));
    }
    case 'Slice': {
      const [data, starts, ends] = [vector(0), vector(1), vector(2)];
      const axes = node.inputs[3] ? vector(3) : [0];
      const steps = node.inputs[4] ? vector(4) : [1];
      if (!data || !starts || !ends || starts.length !== 1 || ends.length !== 1 || axes?.join() !== '0' || steps?.join() !== '1') return undefined;
      const clamp = (i: number) => Math.max(0, Math.min(data.length, i < 0 ? i + data.length : i));
      return ints(data.slice(clamp(starts[0]), clamp(ends[0])));
    }
    case 'Gather': {
      const data = vector(0);
      const indices = input(1);
      if (!data || !isInts(indices) || (intAttribute(node, 'axis') ?? 0) !== 0) return undefined;
      const picked = indices.ints.map((i) => data[i < 0 ? i + data.length : i]);
      if (picked.some((v) => v === undefined)) return undefined;
      return ints(picked, indices.dims.length === 0 ? [] : [picked.length]);
    }
    case 'Concat': {
      const parts = node.inputs.map((_, i) => vector(i));
      if (parts.length === 0 || parts.some((p) => !p) || (intAttribute(node, 'axis') ?? 0) !== 0) return undefined;
      return ints(parts.flatMap((p) => p!));
    }
    case 'Unsqueeze':
    case 'Squeeze':
    case 'Cast': {
      const t = input(0);
      if (!isInts(t) || t.dims.length > 1) return undefined;
      // Cast to an integer type only (7 int64, 6 int32): a float cast feeds arithmetic this reader does not fold.
      if (node.opType === 'Cast' && intAttribute(node, 'to') !== ONNX_TENSOR_INT64 && intAttribute(node, 'to') !== ONNX_TENSOR_INT32) return undefined;
      return ints(t.ints, node.opType === 'Unsqueeze' ? [t.ints.length] : node.opType === 'Squeeze' ? [] : t.dims);
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      // Integer arithmetic on sizes (ShuffleNet's channels / 2 for its shuffle and split); the unknown batch stays unknown.
      const [a, b] = [input(0), input(1)];
      if (!isInts(a) || !isInts(b) || a.dims.length > 1 || b.dims.length > 1 || (a.ints.length !== b.ints.length && a.ints.length !== 1 && b.ints.length !== 1)) return undefined;
      const length = Math.max(a.ints.length, b.ints.length);
      const at = (t: number[], i: number) => t[t.length === 1 ? 0 : i];
      const values: number[] = [];
      for (let i = 0; i < length; i++) {
        const [x, y] = [at(a.ints, i), at(b.ints, i)];
        if (x === UNKNOWN_BATCH || y === UNKNOWN_BATCH) values.push(UNKNOWN_BATCH);
        else if (node.opType === 'Div') {
          if (y === 0) return undefined;
          values.push(Math.trunc(x / y));
        } else values.push(node.opType === 'Add' ? x + y : node.opType === 'Sub' ? x - y : x * y);
      }
      return ints(values, a.dims.length === 0 && b.dims.length === 0 ? [] : [length]);
    }
    default:
      return undefined;
  }
}
