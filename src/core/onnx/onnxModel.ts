import {
  ProtobufFormatError,
  ProtobufReader,
  ProtobufWriter,
  fieldBytes,
  fieldFloat,
  fieldFloats,
  fieldInt,
  fieldInts,
  fieldString,
  littleEndianFloats,
  type ProtobufField,
} from './protobufWire';

/**
 * The part of ONNX's `ModelProto` (onnx.proto, IR version 8) that CNNs use: a graph of operator
 * nodes with float / int64 / int32 tensors as initializers and attributes. `encodeOnnxModel` writes
 * the protobuf bytes of a `.onnx` file; `decodeOnnxModel` reads one back, checking every length
 * against the data so that a truncated or lying file is a clear error, never a crash or a huge
 * allocation.
 */

export const ONNX_TENSOR_FLOAT = 1;
export const ONNX_TENSOR_INT32 = 6;
export const ONNX_TENSOR_INT64 = 7;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** FLOAT tensors. */
  floats?: Float32Array;
  /** INT64 / INT32 tensors (ONNX shapes, axes, pads: all well inside 2^53). */
  ints?: number[];
}

export type OnnxAttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'tensor'; value: OnnxTensor };

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttributeValue>;
}

/** A dimension: a fixed size, or a symbolic name (the dynamic batch axis, `"N"`). */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** Undefined when the file declares no shape. */
  shape?: OnnxDim[];
}

export interface OnnxGraph {
  name: string;
  docString: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString: string;
  metadata: Record<string, string>;
  graph: OnnxGraph;
}

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtobufWriter();
  w.int(1, model.irVersion);
  if (model.producerName) w.string(2, model.producerName);
  if (model.producerVersion) w.string(3, model.producerVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph));
  for (const opset of model.opsetImports) {
    w.message(8, (o) => {
      if (opset.domain) o.string(1, opset.domain);
      o.int(2, opset.version);
    });
  }
  for (const [key, value] of Object.entries(model.metadata)) {
    w.message(14, (e) => {
      e.string(1, key);
      e.string(2, value);
    });
  }
  return w.finish();
}

function writeGraph(w: ProtobufWriter, graph: OnnxGraph): void {
  for (const node of graph.nodes) w.message(1, (n) => writeNode(n, node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.message(5, (t) => writeTensor(t, tensor));
  if (graph.docString) w.string(10, graph.docString);
  for (const input of graph.inputs) w.message(11, (v) => writeValueInfo(v, input));
  for (const output of graph.outputs) w.message(12, (v) => writeValueInfo(v, output));
  for (const info of graph.valueInfo) w.message(13, (v) => writeValueInfo(v, info));
}

function writeNode(w: ProtobufWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  if (node.name) w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, attribute] of Object.entries(node.attributes)) w.message(5, (a) => writeAttribute(a, name, attribute));
  if (node.domain) w.string(7, node.domain);
}

function writeAttribute(w: ProtobufWriter, name: string, attribute: OnnxAttributeValue): void {
  w.string(1, name);
  switch (attribute.kind) {
    case 'float':
      w.float(2, attribute.value);
      break;
    case 'int':
      w.int(3, attribute.value);
      break;
    case 'string':
      w.string(4, attribute.value);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, attribute.value));
      break;
    case 'floats':
      w.packedFloats(7, attribute.value);
      break;
    case 'ints':
      w.packedInts(8, attribute.value);
      break;
    case 'strings':
      for (const s of attribute.value) w.string(9, s);
      break;
  }
  w.int(20, ATTRIBUTE_TYPE[attribute.kind]);
}

function writeTensor(w: ProtobufWriter, tensor: OnnxTensor): void {
  w.packedInts(1, tensor.dims);
  w.int(2, tensor.dataType);
  w.string(8, tensor.name);
  if (tensor.dataType === ONNX_TENSOR_FLOAT) {
    w.bytes(9, littleEndianFloats(tensor.floats ?? new Float32Array(0)));
  } else if (tensor.dataType === ONNX_TENSOR_INT64) {
    const ints = tensor.ints ?? [];
    const raw = new Uint8Array(ints.length * 8);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < ints.length; i++) view.setBigInt64(i * 8, BigInt(ints[i]), true);
    w.bytes(9, raw);
  } else if (tensor.dataType === ONNX_TENSOR_INT32) {
    const ints = tensor.ints ?? [];
    const raw = new Uint8Array(ints.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < ints.length; i++) view.setInt32(i * 4, ints[i], true);
    w.bytes(9, raw);
  } else {
    throw new Error(`ONNX tensor "${tensor.name}": data type ${tensor.dataType} is not written by this exporter`);
  }
}

function writeValueInfo(w: ProtobufWriter, info: OnnxValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, info.elemType);
      if (info.shape) {
        const shape = info.shape;
        tensorType.message(2, (s) => {
          for (const dim of shape) s.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)));
        });
      }
    }),
  );
}

/** Limits that keep a hostile file from making the reader allocate without bound. */
export interface OnnxDecodeLimits {
  /** Largest element count any one tensor may declare. */
  maxTensorElements: number;
}

const DEFAULT_LIMITS: OnnxDecodeLimits = { maxTensorElements: 1 << 28 };

/** Reads a `.onnx` file's bytes; throws ProtobufFormatError (with the byte offset) on bad input. */
export function decodeOnnxModel(input: Uint8Array, limits: OnnxDecodeLimits = DEFAULT_LIMITS): OnnxModel {
  // A plain view: a Node Buffer's slice() would share memory where a copy is meant.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const model: OnnxModel = {
    irVersion: 0,
    opsetImports: [],
    producerName: '',
    producerVersion: '',
    docString: '',
    metadata: {},
    graph: emptyGraph(),
  };
  let sawGraph = false;
  forEachField(bytes, 0, (f) => {
    switch (f.field) {
      case 1:
        model.irVersion = fieldInt(f);
        break;
      case 2:
        model.producerName = fieldString(f);
        break;
      case 3:
        model.producerVersion = fieldString(f);
        break;
      case 6:
        model.docString = fieldString(f);
        break;
      case 7:
        model.graph = readGraph(f, limits);
        sawGraph = true;
        break;
      case 8: {
        const opset = { domain: '', version: 0 };
        forEachField(fieldBytes(f), f.offset, (o) => {
          if (o.field === 1) opset.domain = fieldString(o);
          else if (o.field === 2) opset.version = fieldInt(o);
        });
        model.opsetImports.push(opset);
        break;
      }
      case 14: {
        let key = '';
        let value = '';
        forEachField(fieldBytes(f), f.offset, (e) => {
          if (e.field === 1) key = fieldString(e);
          else if (e.field === 2) value = fieldString(e);
        });
        model.metadata[key] = value;
        break;
      }
      default:
        break; // fields CNN graphs do not use (training info, functions) are skipped
    }
  });
  if (!sawGraph) throw new ProtobufFormatError('not an ONNX model: it has no graph', 0);
  return model;
}

function forEachField(bytes: Uint8Array, offset: number, visit: (f: ProtobufField) => void): void {
  const reader = new ProtobufReader(bytes, offset);
  while (!reader.done) visit(reader.next());
}

function emptyGraph(): OnnxGraph {
  return { name: '', docString: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] };
}

function readGraph(field: ProtobufField, limits: OnnxDecodeLimits): OnnxGraph {
  const graph = emptyGraph();
  forEachField(fieldBytes(field), field.offset, (f) => {
    switch (f.field) {
      case 1:
        graph.nodes.push(readNode(f, limits));
        break;
      case 2:
        graph.name = fieldString(f);
        break;
      case 5:
        graph.initializers.push(readTensor(f, limits));
        break;
      case 10:
        graph.docString = fieldString(f);
        break;
      case 11:
        graph.inputs.push(readValueInfo(f));
        break;
      case 12:
        graph.outputs.push(readValueInfo(f));
        break;
      case 13:
        graph.valueInfo.push(readValueInfo(f));
        break;
      default:
        break;
    }
  });
  return graph;
}

function readNode(field: ProtobufField, limits: OnnxDecodeLimits): OnnxNode {
  const node: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: {} };
  forEachField(fieldBytes(field), field.offset, (f) => {
    switch (f.field) {
      case 1:
        node.inputs.push(fieldString(f));
        break;
      case 2:
        node.outputs.push(fieldString(f));
        break;
      case 3:
        node.name = fieldString(f);
        break;
      case 4:
        node.opType = fieldString(f);
        break;
      case 5: {
        const [name, value] = readAttribute(f, limits);
        if (value) node.attributes[name] = value;
        break;
      }
      case 7:
        node.domain = fieldString(f);
        break;
      default:
        break;
    }
  });
  return node;
}

function readAttribute(field: ProtobufField, limits: OnnxDecodeLimits): [string, OnnxAttributeValue | undefined] {
  let name = '';
  let type = 0;
  const seen: Partial<Record<string, OnnxAttributeValue>> = {};
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  forEachField(fieldBytes(field), field.offset, (f) => {
    switch (f.field) {
      case 1:
        name = fieldString(f);
        break;
      case 2:
        seen.float = { kind: 'float', value: fieldFloat(f) };
        break;
      case 3:
        seen.int = { kind: 'int', value: fieldInt(f) };
        break;
      case 4:
        seen.string = { kind: 'string', value: fieldString(f) };
        break;
      case 5:
        seen.tensor = { kind: 'tensor', value: readTensor(f, limits) };
        break;
      case 7:
        floats.push(...fieldFloats(f));
        break;
      case 8:
        ints.push(...fieldInts(f));
        break;
      case 9:
        strings.push(fieldString(f));
        break;
      case 20:
        type = fieldInt(f);
        break;
      default:
        break;
    }
  });
  switch (type) {
    case ATTRIBUTE_TYPE.float:
      return [name, seen.float ?? { kind: 'float', value: 0 }];
    case ATTRIBUTE_TYPE.int:
      return [name, seen.int ?? { kind: 'int', value: 0 }];
    case ATTRIBUTE_TYPE.string:
      return [name, seen.string ?? { kind: 'string', value: '' }];
    case ATTRIBUTE_TYPE.tensor:
      return [name, seen.tensor];
    case ATTRIBUTE_TYPE.floats:
      return [name, { kind: 'floats', value: floats }];
    case ATTRIBUTE_TYPE.ints:
      return [name, { kind: 'ints', value: ints }];
    case ATTRIBUTE_TYPE.strings:
      return [name, { kind: 'strings', value: strings }];
    default:
      // Graph-valued and other attributes (control flow) have no CNN meaning: kept out, and the
      // importer reports the node's operator if it needs them.
      return [name, undefined];
  }
}

function readTensor(field: ProtobufField, limits: OnnxDecodeLimits): OnnxTensor {
  const tensor: OnnxTensor = { name: '', dims: [], dataType: 0 };
  let raw: Uint8Array | undefined;
  const floatData: number[] = [];
  const intData: number[] = [];
  let external = false;
  forEachField(fieldBytes(field), field.offset, (f) => {
    switch (f.field) {
      case 1:
        tensor.dims.push(...fieldInts(f));
        break;
      case 2:
        tensor.dataType = fieldInt(f);
        break;
      case 4:
        floatData.push(...fieldFloats(f));
        break;
      case 5:
      case 7:
        intData.push(...fieldInts(f));
        break;
      case 8:
        tensor.name = fieldString(f);
        break;
      case 9:
        raw = fieldBytes(f);
        break;
      case 14:
        external = fieldInt(f) === 1;
        break;
      default:
        break;
    }
  });
  const where = `tensor "${tensor.name}"`;
  if (tensor.dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new ProtobufFormatError(`${where} declares an invalid shape [${tensor.dims.join(', ')}]`, field.offset);
  }
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (count > limits.maxTensorElements) {
    throw new ProtobufFormatError(`${where} declares ${count} elements, more than the limit of ${limits.maxTensorElements}`, field.offset);
  }
  if (external) throw new ProtobufFormatError(`${where} keeps its data in an external file, which is not read`, field.offset);
  if (tensor.dataType === ONNX_TENSOR_FLOAT) {
    if (raw) {
      if (raw.length !== count * 4) throw new ProtobufFormatError(`${where} holds ${raw.length} bytes for ${count} floats`, field.offset);
      tensor.floats = readLittleEndianFloats(raw, count);
    } else {
      if (floatData.length !== count) throw new ProtobufFormatError(`${where} holds ${floatData.length} values for ${count} floats`, field.offset);
      tensor.floats = Float32Array.from(floatData);
    }
  } else if (tensor.dataType === ONNX_TENSOR_INT64 || tensor.dataType === ONNX_TENSOR_INT32) {
    const width = tensor.dataType === ONNX_TENSOR_INT64 ? 8 : 4;
    if (raw) {
      if (raw.length !== count * width) throw new ProtobufFormatError(`${where} holds ${raw.length} bytes for ${count} integers`, field.offset);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
      tensor.ints = [];
      for (let i = 0; i < count; i++) tensor.ints.push(width === 8 ? Number(view.getBigInt64(i * 8, true)) : view.getInt32(i * 4, true));
    } else {
      if (intData.length !== count) throw new ProtobufFormatError(`${where} holds ${intData.length} values for ${count} integers`, field.offset);
      tensor.ints = intData;
    }
  }
  // Other element types (float16, double, bool…) keep only their name and shape: the importer
  // names the tensor when an operator needs its values.
  return tensor;
}

function readValueInfo(field: ProtobufField): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', elemType: 0 };
  forEachField(fieldBytes(field), field.offset, (f) => {
    if (f.field === 1) info.name = fieldString(f);
    else if (f.field === 2) {
      forEachField(fieldBytes(f), f.offset, (t) => {
        if (t.field !== 1) return; // sequence / map / optional types: no CNN tensor shape
        forEachField(fieldBytes(t), t.offset, (tt) => {
          if (tt.field === 1) info.elemType = fieldInt(tt);
          else if (tt.field === 2) {
            const shape: OnnxDim[] = [];
            forEachField(fieldBytes(tt), tt.offset, (s) => {
              if (s.field !== 1) return;
              let dim: OnnxDim = '?';
              forEachField(fieldBytes(s), s.offset, (d) => {
                if (d.field === 1) dim = fieldInt(d);
                else if (d.field === 2) dim = fieldString(d);
              });
              shape.push(dim);
            });
            info.shape = shape;
          }
        });
      });
    }
  });
  return info;
}

/** float32 values from little-endian bytes, as a copy that owns its memory. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readLittleEndianFloats(raw: Uint8Array, count: number): Float32Array {
  // Aligned on a little-endian machine: a view of the file's bytes, no copy (nothing in the designer writes into a decoded tensor).
  if (LITTLE_ENDIAN && raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, count);
  // slice() copies with one memcpy; the Uint8Array constructor from a view copies element by element (seconds for a ResNet-50's 100 MB).
  const copy = raw.slice(0, count * 4);
  const floats = new Float32Array(copy.buffer, 0, count);
  if (!LITTLE_ENDIAN) {
    const view = new DataView(copy.buffer);
    for (let i = 0; i < count; i++) floats[i] = view.getFloat32(i * 4, true);
  }
  return floats;
}
