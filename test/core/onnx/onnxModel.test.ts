import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { decodeOnnxModel, encodeOnnxModel, ONNX_TENSOR_FLOAT, ONNX_TENSOR_INT64, type OnnxModel } from '../../../src/core/onnx/onnxModel';
import { ProtobufFormatError, ProtobufReader, ProtobufWriter } from '../../../src/core/onnx/protobufWire';
import { PYTHON } from '../../export/support/python';

const hasOnnx = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;

function sampleModel(): OnnxModel {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'cnn-designer',
    producerVersion: '0.1.0',
    docString: 'a "quoted"\nline',
    metadata: { design: 'tiny' },
    graph: {
      name: 'tiny',
      docString: '',
      nodes: [
        { name: 'conv', opType: 'Conv', domain: '', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { pads: { kind: 'ints', value: [1, 1, 1, 1] }, kernel_shape: { kind: 'ints', value: [3, 3] } } },
        { name: 'act', opType: 'LeakyRelu', domain: '', inputs: ['y'], outputs: ['z'], attributes: { alpha: { kind: 'float', value: 0.25 } } },
        { name: 'flat', opType: 'Reshape', domain: '', inputs: ['z', 'shape'], outputs: ['out'], attributes: {} },
      ],
      initializers: [
        { name: 'w', dims: [2, 1, 3, 3], dataType: ONNX_TENSOR_FLOAT, floats: Float32Array.from({ length: 18 }, (_, i) => i / 7 - 1) },
        { name: 'b', dims: [2], dataType: ONNX_TENSOR_FLOAT, floats: Float32Array.from([0.5, -0.5]) },
        { name: 'shape', dims: [2], dataType: ONNX_TENSOR_INT64, ints: [-1, 50] },
      ],
      inputs: [{ name: 'x', elemType: ONNX_TENSOR_FLOAT, shape: ['N', 1, 5, 5] }],
      outputs: [{ name: 'out', elemType: ONNX_TENSOR_FLOAT, shape: ['N', 50] }],
      valueInfo: [],
    },
  };
}

describe('ONNX model encoding', () => {
  it('round-trips every field it writes', () => {
    const model = sampleModel();
    const decoded = decodeOnnxModel(encodeOnnxModel(model));
    assert.deepEqual(decoded, model);
  });

  it('writes negative int64 varints in ten bytes and reads them back', () => {
    const w = new ProtobufWriter();
    w.int(3, -1);
    w.int(3, -(2 ** 40));
    const bytes = w.finish();
    assert.equal(bytes.length, 2 * (1 + 10));
    const r = new ProtobufReader(bytes);
    assert.equal(BigInt.asIntN(64, r.next().varint!), -1n);
    assert.equal(BigInt.asIntN(64, r.next().varint!), -(2n ** 40n));
  });

  it('rejects truncated files at every cut with a located error, never a crash', () => {
    const bytes = encodeOnnxModel(sampleModel());
    let errors = 0;
    for (let cut = 1; cut < bytes.length; cut++) {
      try {
        decodeOnnxModel(bytes.subarray(0, cut));
      } catch (error) {
        assert.ok(error instanceof ProtobufFormatError, `cut ${cut}: ${String(error)}`);
        assert.match(error.message, /at byte \d+/);
        errors++;
      }
    }
    // A cut exactly between top-level fields can still be a well-formed (shorter) model.
    assert.ok(errors > bytes.length * 0.9, `${errors} of ${bytes.length} cuts rejected`);
  });

  it('refuses a tensor that declares more elements than the limit, before allocating', () => {
    const model = sampleModel();
    model.graph.initializers = [{ name: 'huge', dims: [1 << 20, 1 << 20], dataType: ONNX_TENSOR_FLOAT, floats: new Float32Array(0) }];
    assert.throws(() => decodeOnnxModel(encodeOnnxModel(model)), /tensor "huge" declares 1099511627776 elements/);
  });

  (hasOnnx ? describe : describe.skip)('against the onnx package (Debian python3-onnx)', () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'onnx-model-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('writes files that onnx.load reads and onnx.checker accepts, with the same tensors', () => {
      const file = join(dir, 'tiny.onnx');
      writeFileSync(file, encodeOnnxModel(sampleModel()));
      const script = `
import onnx, sys, json
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
print(json.dumps({"ops": [n.op_type for n in m.graph.node], "w": numpy_helper.to_array(m.graph.initializer[0]).flatten().tolist(),
  "shape": numpy_helper.to_array(m.graph.initializer[2]).tolist(), "alpha": m.graph.node[1].attribute[0].f,
  "out": [d.dim_param or d.dim_value for d in m.graph.output[0].type.tensor_type.shape.dim], "meta": {p.key: p.value for p in m.metadata_props}}))
`;
      const result = spawnSync(PYTHON, ['-c', script, file], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      const read = JSON.parse(result.stdout);
      assert.deepEqual(read.ops, ['Conv', 'LeakyRelu', 'Reshape']);
      assert.deepEqual(read.w, Array.from(sampleModel().graph.initializers[0].floats!));
      assert.deepEqual(read.shape, [-1, 50]);
      assert.equal(read.alpha, 0.25);
      assert.deepEqual(read.out, ['N', 50]);
      assert.deepEqual(read.meta, { design: 'tiny' });
    });

    it('reads files the onnx package writes (unpacked fields, float_data, int attributes)', () => {
      const file = join(dir, 'made-by-python.onnx');
      const script = `
import onnx, sys
from onnx import helper, TensorProto
w = helper.make_tensor("w", TensorProto.FLOAT, [2, 3], [1.5, -2, 3, 4, 5, 6.25])
node = helper.make_node("Gemm", ["x", "w"], ["y"], name="fc", transB=1, alpha=2.0)
g = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
  [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2])], [w])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="pytest")
onnx.save(m, sys.argv[1])
`;
      const result = spawnSync(PYTHON, ['-c', script, file], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      const model = decodeOnnxModel(readFileSync(file));
      assert.equal(model.producerName, 'pytest');
      assert.deepEqual(model.opsetImports, [{ domain: '', version: 13 }]);
      assert.deepEqual(Array.from(model.graph.initializers[0].floats!), [1.5, -2, 3, 4, 5, 6.25]);
      assert.deepEqual(model.graph.nodes[0].attributes, { transB: { kind: 'int', value: 1 }, alpha: { kind: 'float', value: 2 } });
      assert.deepEqual(model.graph.inputs[0].shape, ['batch', 3]);
    });
  });
});
