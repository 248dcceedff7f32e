// The training panel's engine section without a browser: the rows it shows, what it says is wrong
// with a choice before a run, the host's check of the panel's choice, and the host's probe cache.
import assert from 'node:assert/strict';
import { EngineProbeCache } from '../../src/extension/training/EngineProbeCache';
import { InvalidPanelMessageError, validateTrainingPanelMessage } from '../../src/extension/training/validateTrainingPanelMessage';
import { validateTrainingPanelEnvelope } from '../../src/extension/training/validateTrainingPanelEnvelope';
import { effectiveEngine, engineChoiceProblems, type EngineChoice } from '../../src/training/engine/engineChoiceProblems';
import { ENGINE_LABELS, engineRows } from '../../src/training/engine/engineRows';
import { ENGINE_DESCRIPTIONS, listEngines, type EngineProbes } from '../../src/training/engine/listEngines';
import type { PythonTorchInfo } from '../../src/training/pytorch/findPythonWithTorch';
import { MAX_PYTORCH_PROCESSES, TORCH_DEVICES } from '../../src/training/pytorch/torchDevices';

const TFJS: EngineProbes['tfjs'] = [
  { backend: 'tensorflow-gpu', ok: false, reason: '@tensorflow/tfjs-node-gpu is not installed' },
  { backend: 'tensorflow', ok: false, reason: '@tensorflow/tfjs-node is not installed' },
  { backend: 'webgpu', ok: false, reason: 'WebGPU (Dawn) found no GPU adapter' },
  { backend: 'wasm', ok: true },
  { backend: 'cpu', ok: true },
];
const notFound = { path: 'python3', source: 'python3 on the PATH', ok: false, reason: 'not found' };

/** A machine whose PyTorch (at /opt/py) sees these CUDA GPUs and, or not, Apple's mps. */
function machine(cudaDevices: string[], mps = false) {
  const found: PythonTorchInfo = { path: '/opt/py/bin/python', source: 'the cnnDesigner.python.path setting', python: '3.11.2', torch: '2.4.0', cudaDevices, cudaVersion: cudaDevices.length ? '12.1' : undefined, mps };
  return listEngines({ python: { found, attempts: [notFound, { path: found.path, source: found.source, ok: true }] }, tfjs: TFJS });
}
const withoutTorch = listEngines({ python: { attempts: [notFound, { path: '/usr/bin/python3', source: 'the cnnDesigner.python.path setting', ok: false, reason: 'has no torch (import torch: ModuleNotFoundError)' }] }, tfjs: TFJS });
const choice = (over: Partial<EngineChoice>): EngineChoice => ({ device: 'auto', processes: 1, ...over });
const errors = (list: ReturnType<typeof machine>, c: EngineChoice) => engineChoiceProblems(list, c).filter((p) => p.severity === 'error').map((p) => p.message);

describe('training panel: engine list rows', () => {
  it("shows PyTorch's interpreter and where it came from, torch's version, the devices and the interpreters passed over", () => {
    const rows = engineRows(machine(['NVIDIA A100', 'NVIDIA A100'], false));
    const pytorch = rows.find((r) => r.engine === 'pytorch')!;
    assert.equal(pytorch.available, true);
    assert.equal(pytorch.status, 'available on cuda');
    assert.deepEqual(pytorch.details, [
      'Interpreter: /opt/py/bin/python, from the cnnDesigner.python.path setting',
      'torch 2.4.0, Python 3.11.2, CUDA 12.1',
      'Devices: cuda ×2 (NVIDIA A100, NVIDIA A100), cpu',
      'Not used: python3 (python3 on the PATH): not found',
    ]);
    assert.equal(rows.find((r) => r.engine === 'pytorch' && r.automatic) !== undefined, true, 'PyTorch on a GPU is the automatic choice');
    const mac = engineRows(machine([], true)).find((r) => r.engine === 'pytorch')!;
    assert.equal(mac.details[2], 'Devices: mps, cpu');
  });

  it('says why an engine cannot train, and lists every engine in the automatic choice’s order with its own label', () => {
    const rows = engineRows(withoutTorch);
    assert.deepEqual(rows.map((r) => r.label), withoutTorch.map((e) => ENGINE_LABELS[e.engine]));
    const pytorch = rows[0];
    assert.equal(pytorch.status, 'not available');
    assert.deepEqual(pytorch.details.slice(0, 2), ['Not used: python3 (python3 on the PATH): not found', 'Not used: /usr/bin/python3 (the cnnDesigner.python.path setting): has no torch (import torch: ModuleNotFoundError)']);
    assert.match(pytorch.details[2], /cnnDesigner\.python\.path/);
    for (const attempt of TFJS) {
      const row = rows.find((r) => r.engine === attempt.backend)!;
      assert.equal(row.available, attempt.ok);
      assert.deepEqual(row.details, [attempt.ok ? ENGINE_DESCRIPTIONS[row.engine] : attempt.reason]);
    }
    assert.deepEqual(rows.filter((r) => r.automatic).map((r) => r.engine), ['wasm'], 'without PyTorch on a GPU, the first TF.js engine that works');
  });
});

describe('training panel: what is wrong with the engine choice before a run', () => {
  it('finds nothing wrong with choices the machine can carry out', () => {
    const cpuOnly = machine([]);
    const twoGpus = machine(['A', 'B']);
    for (const [list, c] of [
      [cpuOnly, choice({})],
      [cpuOnly, choice({ backend: 'pytorch', device: 'cpu' })],
      // Several processes on the CPU train under torchrun with gloo.
      [cpuOnly, choice({ backend: 'pytorch', device: 'cpu', processes: 2 })],
      [twoGpus, choice({ backend: 'pytorch', processes: 2 })],
      [twoGpus, choice({ backend: 'pytorch', device: 'cuda', processes: 1 })],
      // PyTorch's options do not concern a TF.js engine.
      [cpuOnly, choice({ backend: 'wasm', device: 'cuda', processes: 8 })],
    ] as const) {
      assert.deepEqual(engineChoiceProblems(list, c), [], JSON.stringify(c));
    }
  });

  it('refuses more GPUs than PyTorch sees, and devices the machine lacks', () => {
    const twoGpus = machine(['A', 'B']);
    for (let processes = 1; processes <= 4; processes++) {
      const found = errors(twoGpus, choice({ backend: 'pytorch', processes }));
      assert.deepEqual(found, processes > 2 ? [`${processes} GPUs were chosen, but PyTorch sees 2 CUDA GPUs here.`] : [], `${processes} processes`);
    }
    // auto resolves to PyTorch on a GPU machine, so the GPU count applies to it too.
    assert.equal(effectiveEngine(twoGpus, {}), 'pytorch');
    assert.equal(errors(twoGpus, choice({ processes: 3 })).length, 1);
    assert.deepEqual(errors(machine([]), choice({ backend: 'pytorch', device: 'cuda' })), ['The cuda device was chosen, but PyTorch sees no CUDA GPU here.']);
    assert.match(errors(machine([]), choice({ backend: 'pytorch', device: 'mps' }))[0], /no Apple GPU/);
    assert.match(errors(machine([], true), choice({ backend: 'pytorch', processes: 2 }))[0], /mps device is one GPU/);
  });

  it('refuses an engine that cannot train here, saying why', () => {
    assert.deepEqual(errors(withoutTorch, choice({ backend: 'pytorch' })), [`PyTorch cannot train here: ${withoutTorch[0].detail}`]);
    assert.deepEqual(errors(withoutTorch, choice({ backend: 'webgpu' })), ['WebGPU cannot train here: WebGPU (Dawn) found no GPU adapter']);
    assert.match(errors(withoutTorch, choice({ backend: 'tpu' }))[0], /"tpu" is not a training engine/);
    const nothing = listEngines({ python: { attempts: [] }, tfjs: TFJS.map((a) => ({ ...a, ok: false, reason: 'broken' })) });
    assert.deepEqual(errors(nothing, choice({})), ['No engine can train on this machine.']);
  });

  it("warns that the machine's backend setting overrides the design's, and judges the engine that setting forces", () => {
    const problems = engineChoiceProblems(withoutTorch, choice({ backend: 'wasm', forcedBackend: 'pytorch' }));
    assert.deepEqual(problems.map((p) => p.severity), ['error', 'warning'], 'errors first');
    assert.match(problems[0].message, /^PyTorch cannot train here/);
    assert.match(problems[1].message, /cnnDesigner\.training\.backend setting \(pytorch\) overrides the design's backend \(wasm\)/);
    assert.deepEqual(engineChoiceProblems(withoutTorch, choice({ backend: 'wasm', forcedBackend: 'wasm' })), []);
  });
});

describe("training panel: the host's check of the engine requests", () => {
  const rejects = (raw: unknown, pattern: RegExp) => assert.throws(() => validateTrainingPanelMessage(raw), (e: unknown) => e instanceof InvalidPanelMessageError && pattern.test(e.message), JSON.stringify(raw));

  it('accepts the engine list request and every device with a process count in range', () => {
    assert.deepEqual(validateTrainingPanelMessage({ type: 'engines', refresh: true }), { type: 'engines', refresh: true });
    for (const device of TORCH_DEVICES) {
      for (const processes of [1, MAX_PYTORCH_PROCESSES]) {
        const message = { type: 'setPyTorchOptions', options: { device, processes } };
        assert.deepEqual(validateTrainingPanelMessage(message), message);
        assert.deepEqual(validateTrainingPanelEnvelope({ rpc: 'request', id: 3, request: message }).request, message);
      }
    }
  });

  it('refuses anything else, naming the field', () => {
    rejects({ type: 'engines' }, /^refresh must be true or false/);
    rejects({ type: 'engines', refresh: 'yes' }, /^refresh must be/);
    rejects({ type: 'setPyTorchOptions' }, /^options must be an object/);
    rejects({ type: 'setPyTorchOptions', options: { device: 'tpu', processes: 1 } }, /^options\.device must be one of auto, cuda, mps, cpu/);
    for (const processes of [0, MAX_PYTORCH_PROCESSES + 1, 1.5, '2', -1, Number.NaN]) rejects({ type: 'setPyTorchOptions', options: { device: 'cuda', processes } }, /^options\.processes must be an integer in \[1, 64\]/);
    rejects({ type: 'setPyTorchOptions', options: { device: 'cpu', processes: 1, python: '/tmp/evil' } }, /^options\.python must be absent/);
    rejects(JSON.parse('{"type":"setPyTorchOptions","options":{"device":"cpu","processes":1,"__proto__":{"x":1}}}'), /^options\.__proto__ must be absent/);
  });
});

describe("training panel: the host's engine probe cache", () => {
  const options = { pythonCandidates: [{ path: 'python3', source: 'python3 on the PATH' }] };
  const counting = () => {
    const calls: string[] = [];
    let fail = false;
    const cache = new EngineProbeCache(async (o) => {
      calls.push(JSON.stringify(o));
      if (fail) throw new Error('probe failed');
      return machine([]);
    });
    return { cache, calls, failNext: (v: boolean) => (fail = v) };
  };

  it('probes once for every panel, again on Refresh or other options', async () => {
    const { cache, calls } = counting();
    const [a, b] = await Promise.all([cache.get(options), cache.get(options)]);
    assert.equal(calls.length, 1, 'two panels asking at once share one probe');
    assert.equal(a, b);
    await cache.get(options);
    assert.equal(calls.length, 1);
    await cache.get(options, true);
    assert.equal(calls.length, 2, 'Refresh probes again');
    await cache.get({ ...options, nativeEngineFolders: ['/engines'] });
    assert.equal(calls.length, 3, 'another interpreter or engine folder is another probe');
  });

  it('does not keep a failed probe', async () => {
    const { cache, calls, failNext } = counting();
    failNext(true);
    await assert.rejects(cache.get(options), /probe failed/);
    failNext(false);
    assert.equal((await cache.get(options)).engines.length, machine([]).length);
    assert.equal(calls.length, 2);
  });
});
