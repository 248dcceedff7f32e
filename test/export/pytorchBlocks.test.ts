import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileGraph } from '../../src/core/export/compileGraph';
import { exportDesign } from '../../src/core/export/exportDesign';
import { toPyTorchStateDict } from '../../src/core/export/pytorchWeights';
import { parseDesign } from '../../src/core/format/parseDesign';
import { PYTHON, runPython } from './support/python';

const examples = join(__dirname, '..', '..', 'examples');

/** The ResNet-18 template with blocks, its classifier giving logits as torchvision's does. */
function resnet18Blocks() {
  const design = parseDesign(readFileSync(join(examples, 'resnet18-blocks.cnn.json'), 'utf8')).design!;
  const fc = design.nodes.find((n) => n.id === 'fc')!;
  delete fc.params.activation;
  return design;
}

/** A template with blocks, its classifier giving logits as torchvision's does. */
function logitsTemplate(file: string, classifier: string) {
  const design = parseDesign(readFileSync(join(examples, file), 'utf8')).design!;
  delete design.nodes.find((n) => n.id === classifier)!.params.activation;
  return design;
}

const hasTorchvision = (): boolean => spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status === 0;

describe('PyTorch export of blocks', () => {
  it('writes one nn.Module class per block and stages as nn.Sequential of instances', () => {
    const code = exportDesign(resnet18Blocks(), 'pytorch').files[0].code;
    assert.match(code, /^class BasicBlock\(nn\.Module\):$/m);
    assert.match(code, /def __init__\(self, in_channels, planes=64, stride=1, downsample=False\):/);
    assert.match(code, /self\.layer2 = nn\.Sequential\(BasicBlock\(64, planes=128, stride=2, downsample=True\), BasicBlock\(128, planes=128, stride=1, downsample=False\)\)/);
    assert.match(code, /self\.downsample = nn\.Sequential\(nn\.Conv2d\(in_channels, planes, /);
    assert.equal(code.match(/^class /gm)!.length, 2);
  });

  it('Keras writes a function per block; ONNX exports the expanded design', () => {
    assert.match(exportDesign(resnet18Blocks(), 'keras').files[0].code, /^def basic_block\(x, name, /m);
    const graph = compileGraph(resnet18Blocks());
    assert.ok(graph.design.nodes.some((n) => n.id === 'layer2.0.downsample.0'));
  });

  it("ResNet-18 with a BasicBlock loads torchvision's resnet18 state_dict (strict) and gives its outputs", function () {
    if (!hasTorchvision()) {
      console.warn(`    skipped: ${PYTHON} has no torch and torchvision`);
      this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'cnn-blocks-'));
    try {
      const file = join(dir, 'resnet18_blocks.py');
      writeFileSync(file, exportDesign(resnet18Blocks(), 'pytorch').files[0].code);
      const { stdout } = runPython([join(__dirname, 'support', 'checkTorchvisionWeights.py'), file, 'resnet18']);
      const result = JSON.parse(stdout.trim().split('\n').pop()!);
      assert.ok(result.keys > 100);
      assert.ok(result.maxDiff < 1e-4, `outputs differ by ${result.maxDiff}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a run's weights of a design with blocks become the block module's state_dict: every key and shape", function () {
    if (!hasTorchvision()) {
      console.warn(`    skipped: ${PYTHON} has no torch and torchvision`);
      this.skip();
    }
    const design = resnet18Blocks();
    // Weights as a TF.js run saves them: "<layer>/<kind>", Keras shapes.
    const weights = [...compileGraph(design).weightedLayer.values()].flatMap((layer) =>
      Object.entries(layer.weights!).map(([kind, place]) => ({ name: `${layer.name}/${kind}`, shape: place.shape, data: new Float32Array(place.shape.reduce((a, b) => a * b, 1)) })),
    );
    const state = toPyTorchStateDict(design, weights);
    const dir = mkdtempSync(join(tmpdir(), 'cnn-blocks-'));
    try {
      const file = join(dir, 'resnet18_blocks.py');
      writeFileSync(file, exportDesign(design, 'pytorch').files[0].code);
      const script = `import importlib.util, json, sys\nspec = importlib.util.spec_from_file_location("m", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\nprint(json.dumps({k: list(v.shape) for k, v in m.ResNet18Blocks().state_dict().items() if not k.endswith("num_batches_tracked")}))`;
      const { stdout } = runPython(['-c', script, file]);
      const expected = JSON.parse(stdout.trim().split('\n').pop()!);
      assert.deepEqual(Object.fromEntries(state.map((t) => [t.name, t.shape])), expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a block whose copies differ by arguments is one class even where a default is left out (ResNet-50\'s first downsample has stride 1)', () => {
    const code = exportDesign(logitsTemplate('resnet50-blocks.cnn.json', 'fc'), 'pytorch').files[0].code;
    assert.match(code, /^class Bottleneck\(nn\.Module\):$/m);
    assert.match(code, /self\.conv2 = nn\.Conv2d\(planes, planes, kernel_size=3, stride=stride, padding=1, bias=False\)/);
    assert.match(code, /if downsample:\n\s+self\.downsample = nn\.Sequential\(nn\.Conv2d\(in_channels, \(planes \* 4\), kernel_size=1, stride=stride, bias=False\)/);
    assert.match(code, /self\.layer1 = nn\.Sequential\(Bottleneck\(64, planes=64, stride=1, downsample=True\), Bottleneck\(256, /);
  });

  it('chains with nested indices and of block instances are nn.Sequential as torchvision\'s MobileNetV2 (features.1.conv.0.0)', () => {
    const code = exportDesign(logitsTemplate('mobilenet-v2-blocks.cnn.json', 'classifier.1'), 'pytorch').files[0].code;
    assert.match(code, /^class InvertedResidual\(nn\.Module\):$/m);
    assert.match(code, /self\.conv = nn\.Sequential\(nn\.Sequential\(nn\.Conv2d\(in_channels, hidden, kernel_size=1, bias=False\), nn\.BatchNorm2d\(hidden, [^)]*\), nn\.ReLU6\(\)\), /);
    assert.match(code, /self\.features = nn\.Sequential\(nn\.Sequential\(nn\.Conv2d\(3, 32, .*\), InvertedResidualNoExpansion\(32, .*\), InvertedResidual\(16, hidden=96, out=24, stride=2, residual=False\), /);
    // The residual connection is an Add that "when" leaves out where the shape changes.
    assert.match(code, /if self\.residual:\n\s+add = conv_3 \+ x\n\s+else:\n\s+add = conv_3/);
  });

  it('a line with three shapes that no written default unites becomes nested conditions: the "when" first, then an argument', () => {
    const design = parseDesign(
      JSON.stringify({
        format: 'cnn-designer',
        version: 1,
        name: 'three shapes',
        blocks: {
          Blk: {
            params: { act: { default: 'relu' }, on: { default: false } },
            inputs: ['x'],
            outputs: ['out'],
            nodes: [
              { id: 'conv', type: 'Conv2D', params: { filters: 4, kernelSize: 3, padding: 1 } },
              { id: 'act', type: 'Activation', when: '$on', params: { fn: '$act' } },
            ],
            edges: [{ source: 'x', target: 'conv' }, { source: 'conv', target: 'act' }, { source: 'act', target: 'out' }],
          },
        },
        nodes: [
          { id: 'input', type: 'Input', params: { shape: [8, 8, 4] } },
          { id: 'stage', type: 'Blk', params: {}, repeat: 3, overrides: { '1': { on: true }, '2': { on: true, act: 'sigmoid' } } },
        ],
        edges: [{ source: 'input', target: 'stage' }],
      }),
    ).design!;
    const code = exportDesign(design, 'pytorch').files[0].code;
    assert.match(code, /^class Blk\(nn\.Module\):$/m);
    assert.match(code, /if self\.on:\n\s+if self\.act_arg == "relu":\n\s+act = F\.relu\(conv\)\n\s+else:\n\s+act = torch\.sigmoid\(conv\)\n\s+else:\n\s+act = conv/);
    if (!hasTorchvision()) return;
    // The class runs, each copy as its arguments say: the output is a sigmoid's (in (0, 1)).
    const dir = mkdtempSync(join(tmpdir(), 'cnn-blocks-'));
    try {
      const file = join(dir, 'three.py');
      writeFileSync(file, code);
      const script = `import importlib.util, sys, torch\nspec = importlib.util.spec_from_file_location("m", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\ny = m.ThreeShapes().eval()(torch.randn(2, 4, 8, 8))\nprint(float(y.min()), float(y.max()))`;
      const [low, high] = runPython(['-c', script, file]).stdout.trim().split('\n').pop()!.split(' ').map(Number);
      assert.ok(low > 0 && high < 1, `${low} ${high}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [file, classifier, model, blockClass] of [
    ['resnet50-blocks.cnn.json', 'fc', 'resnet50', 'Bottleneck'],
    ['mobilenet-v2-blocks.cnn.json', 'classifier.1', 'mobilenet_v2', 'InvertedResidual'],
  ] as const) {
    it(`${file} exports ${blockClass} classes that load torchvision's ${model} state_dict (strict) and give its outputs`, function () {
      if (!hasTorchvision()) {
        console.warn(`    skipped: ${PYTHON} has no torch and torchvision`);
        this.skip();
      }
      const design = logitsTemplate(file, classifier);
      const code = exportDesign(design, 'pytorch').files[0].code;
      assert.match(code, new RegExp(`^class ${blockClass}\\(nn\\.Module\\):$`, 'm'));
      const dir = mkdtempSync(join(tmpdir(), 'cnn-blocks-'));
      try {
        const path = join(dir, `${model}_blocks.py`);
        writeFileSync(path, code);
        const { stdout } = runPython([join(__dirname, 'support', 'checkTorchvisionWeights.py'), path, model]);
        const result = JSON.parse(stdout.trim().split('\n').pop()!);
        assert.ok(result.keys > 100);
        assert.ok(result.maxDiff <= 1e-4, `outputs differ by ${result.maxDiff}`);
        // The design's own count is PyTorch's.
        const count = runPython(['-c', `import torchvision; print(sum(p.numel() for p in torchvision.models.${model}().parameters()))`]).stdout.trim().split('\n').pop();
        assert.equal(compileGraph(design).analysis.totals.trainableParams, Number(count));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it("densenet121-blocks exports a DenseLayer class; torchvision's densenet121 state_dict loads (strict) under a documented key mapping and gives its outputs", function () {
    if (!hasTorchvision()) {
      console.warn(`    skipped: ${PYTHON} has no torch and torchvision`);
      this.skip();
    }
    const design = logitsTemplate('densenet121-blocks.cnn.json', 'classifier');
    const code = exportDesign(design, 'pytorch').files[0].code;
    assert.match(code, /^class DenseLayer\(nn\.Module\):$/m);
    assert.match(code, /self\.features_denseblock1 = nn\.Sequential\(DenseLayer\(64, growth=32, bottleneck=128\), DenseLayer\(96, /);
    const dir = mkdtempSync(join(tmpdir(), 'cnn-blocks-'));
    try {
      const file = join(dir, 'densenet121_blocks.py');
      writeFileSync(file, code);
      // The mapping: a stage numbers its copies from 0 where torchvision names them denselayer1, 2…,
      // and the design's dotted top-level ids are attributes with "_" ("features.conv0" → features_conv0).
      const script = [
        'import importlib.util, json, re, sys, torch, torchvision',
        'spec = importlib.util.spec_from_file_location("m", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
        'torch.manual_seed(0)',
        'ref = torchvision.models.densenet121().eval()',
        'for mod in ref.modules():',
        '    if isinstance(mod, torch.nn.BatchNorm2d):',
        '        mod.running_mean.uniform_(-0.5, 0.5); mod.running_var.uniform_(0.5, 1.5); mod.weight.data.uniform_(0.5, 1.5); mod.bias.data.uniform_(-0.5, 0.5)',
        'def ours(key):',
        '    key = re.sub(r"^features\\.denseblock(\\d+)\\.denselayer(\\d+)\\.", lambda g: "features_denseblock%s.%d." % (g.group(1), int(g.group(2)) - 1), key)',
        '    key = re.sub(r"^features\\.transition(\\d+)\\.(\\w+)\\.", r"features_transition\\1_\\2.", key)',
        '    return re.sub(r"^features\\.(\\w+)\\.", r"features_\\1.", key)',
        'model = m.DenseNet121Blocks().eval()',
        'model.load_state_dict({ours(k): v for k, v in ref.state_dict().items()}, strict=True)',
        'x = torch.randn(2, 3, 224, 224)',
        'with torch.no_grad(): print(json.dumps({"maxDiff": (ref(x) - model(x)).abs().max().item(), "keys": len(ref.state_dict()), "params": sum(p.numel() for p in ref.parameters())}))',
      ].join('\n');
      const result = JSON.parse(runPython(['-c', script, file]).stdout.trim().split('\n').pop()!);
      assert.ok(result.keys > 700);
      assert.ok(result.maxDiff <= 1e-4, `outputs differ by ${result.maxDiff}`);
      assert.equal(compileGraph(design).analysis.totals.trainableParams, result.params);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("efficientnet-b0-blocks: a SqueezeExcitation instance is one member of MBConv's chain; torchvision's efficientnet_b0 state_dict loads (strict) and gives its outputs", function () {
    const design = logitsTemplate('efficientnet-b0-blocks.cnn.json', 'classifier.1');
    const code = exportDesign(design, 'pytorch').files[0].code;
    assert.match(code, /^class SqueezeExcitation\(nn\.Module\):$/m);
    assert.match(code, /self\.fc1 = nn\.Conv2d\(in_channels, squeeze, kernel_size=1\)/);
    assert.match(code, /self\.block = nn\.Sequential\(nn\.Sequential\(nn\.Conv2d\(in_channels, hidden, kernel_size=1, bias=False\), .*\), SqueezeExcitation\(hidden, squeeze=squeeze, channels=hidden\), nn\.Sequential\(nn\.Conv2d\(hidden, out, /);
    assert.match(code, /nn\.Sequential\(MBConv\(16, hidden=96, out=24, kernel=3, stride=2, squeeze=4, residual=False, dropRate=0\), MBConv\(24, hidden=144, out=24, kernel=3, stride=1, squeeze=6, residual=True, dropRate=0\.025\)\)/);
    if (!hasTorchvision()) {
      console.warn(`    skipped: ${PYTHON} has no torch and torchvision`);
      this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'cnn-blocks-'));
    try {
      const file = join(dir, 'efficientnet_b0_blocks.py');
      writeFileSync(file, code);
      // Batch-norm terms randomized mildly: with wider ones EfficientNet's outputs vanish (1e-14) and any export would pass.
      const script = [
        'import importlib.util, json, sys, torch, torchvision',
        'spec = importlib.util.spec_from_file_location("m", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
        'torch.manual_seed(0)',
        'ref = torchvision.models.efficientnet_b0().eval()',
        'g = torch.Generator().manual_seed(1)',
        'for mod in ref.modules():',
        '    if isinstance(mod, torch.nn.BatchNorm2d):',
        '        c = mod.num_features',
        '        mod.running_mean.copy_(torch.randn(c, generator=g) * 0.1); mod.running_var.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)',
        '        mod.weight.data.copy_(torch.rand(c, generator=g) * 0.5 + 0.75); mod.bias.data.copy_(torch.randn(c, generator=g) * 0.1)',
        'model = m.EfficientNetB0Blocks().eval()',
        'model.load_state_dict(ref.state_dict(), strict=True)',
        'x = torch.randn(2, 3, 224, 224)',
        'with torch.no_grad(): expected = ref(x); diff = (expected - model(x)).abs().max().item()',
        'print(json.dumps({"maxDiff": diff, "maxAbs": expected.abs().max().item(), "keys": len(ref.state_dict()), "params": sum(p.numel() for p in ref.parameters())}))',
      ].join('\n');
      const result = JSON.parse(runPython(['-c', script, file]).stdout.trim().split('\n').pop()!);
      assert.ok(result.keys > 300);
      assert.ok(result.maxAbs > 1e-3, `outputs are trivially small (${result.maxAbs})`);
      assert.ok(result.maxDiff <= 1e-4 * Math.max(1, result.maxAbs), `outputs differ by ${result.maxDiff}`);
      assert.equal(compileGraph(design).analysis.totals.trainableParams, result.params);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a run's weights of EfficientNet-B0 with blocks are named as torchvision's state_dict: a block instance inside a block's chain", function () {
    if (!hasTorchvision()) {
      console.warn(`    skipped: ${PYTHON} has no torch and torchvision`);
      this.skip();
    }
    const design = logitsTemplate('efficientnet-b0-blocks.cnn.json', 'classifier.1');
    const weights = [...compileGraph(design).weightedLayer.values()].flatMap((layer) =>
      Object.entries(layer.weights!).map(([kind, place]) => ({ name: `${layer.name}/${kind}`, shape: place.shape, data: new Float32Array(place.shape.reduce((a, b) => a * b, 1)) })),
    );
    const state = toPyTorchStateDict(design, weights);
    const script = 'import json, torchvision\nprint(json.dumps({k: list(v.shape) for k, v in torchvision.models.efficientnet_b0().state_dict().items() if not k.endswith("num_batches_tracked")}))';
    const expected = JSON.parse(runPython(['-c', script]).stdout.trim().split('\n').pop()!);
    assert.ok('features.2.0.block.2.fc1.weight' in expected);
    assert.deepEqual(Object.fromEntries(state.map((t) => [t.name, t.shape])), expected);
  });

  it("a run's weights of MobileNetV2 with blocks are named as torchvision's state_dict: nested chains and instances in a chain", function () {
    if (!hasTorchvision()) {
      console.warn(`    skipped: ${PYTHON} has no torch and torchvision`);
      this.skip();
    }
    const design = logitsTemplate('mobilenet-v2-blocks.cnn.json', 'classifier.1');
    const weights = [...compileGraph(design).weightedLayer.values()].flatMap((layer) =>
      Object.entries(layer.weights!).map(([kind, place]) => ({ name: `${layer.name}/${kind}`, shape: place.shape, data: new Float32Array(place.shape.reduce((a, b) => a * b, 1)) })),
    );
    const state = toPyTorchStateDict(design, weights);
    const script = 'import json, torchvision\nprint(json.dumps({k: list(v.shape) for k, v in torchvision.models.mobilenet_v2().state_dict().items() if not k.endswith("num_batches_tracked")}))';
    const expected = JSON.parse(runPython(['-c', script]).stdout.trim().split('\n').pop()!);
    assert.deepEqual(Object.fromEntries(state.map((t) => [t.name, t.shape])), expected);
  });
});
