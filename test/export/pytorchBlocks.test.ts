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

  it('the other targets export the expanded design', () => {
    const code = exportDesign(resnet18Blocks(), 'keras').files[0].code;
    assert.match(code, /layer2_0_downsample_0|layer2\.0\.downsample\.0/);
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
});
