/**
 * The designs `npm run bench:train` measures: the course's MNIST CNN and the PyTorch tutorial net as
 * the examples define them, and ResNet-18 and MobileNetV2 at CIFAR-10 size (32×32×3 input, 10
 * classes), made from the ImageNet examples by changing the input shape and the classifier's units
 * (the architecture torchvision's resnet18(num_classes=10) and mobilenet_v2(num_classes=10) have at
 * that input, which the PyTorch side runs).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeDesign } from '../src/core/analysis/analyzeDesign';
import type { Design } from '../src/core/design';
import { parseDesign } from '../src/core/format/parseDesign';

export const BENCH_MODELS = ['mnist-cnn', 'pytorch-tutorial-net', 'resnet18-32', 'mobilenet-v2-32'] as const;
export type BenchModel = (typeof BENCH_MODELS)[number];

/** The CIFAR-size variants: which example they come from. */
const CIFAR_VARIANTS: Partial<Record<BenchModel, string>> = { 'resnet18-32': 'resnet18', 'mobilenet-v2-32': 'mobilenet-v2' };

export function isBenchModel(name: string): name is BenchModel {
  return (BENCH_MODELS as readonly string[]).includes(name);
}

/** The design of a benchmark model, checked by the analysis (an invalid variant stops the benchmark). */
export function benchDesign(name: BenchModel, root: string): Design {
  const example = CIFAR_VARIANTS[name] ?? name;
  const parsed = parseDesign(fs.readFileSync(path.join(root, 'examples', `${example}.cnn.json`), 'utf8'));
  if (!parsed.design) throw new Error(`examples/${example}.cnn.json does not parse`);
  let design = parsed.design;
  if (CIFAR_VARIANTS[name]) {
    const classifier = [...design.nodes].reverse().find((n) => n.type === 'Dense');
    if (!classifier) throw new Error(`examples/${example}.cnn.json has no Dense classifier`);
    design = {
      ...design,
      nodes: design.nodes.map((n) => (n.type === 'Input' ? { ...n, params: { ...n.params, shape: [32, 32, 3] } } : n === classifier ? { ...n, params: { ...n.params, units: 10 } } : n)),
    };
  }
  const analysis = analyzeDesign(design);
  if (!analysis.valid) throw new Error(`${name}: ${analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}`);
  return design;
}
