import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { exportDesign } from '../../src/core/export/exportDesign';
import { className, identifierNames } from '../../src/core/export/identifierNames';
import { parseDesign } from '../../src/core/format/parseDesign';
import { PYTHON, runPython } from '../export/support/python';

/**
 * The torchvision networks checked against the designer, and how one conversion compares: the
 * converter (torchvisionToDesign.py) writes a design and PyTorch's reference data; the analysis of
 * the design must give every node PyTorch's shape and the totals PyTorch's parameter counts.
 */

export interface ReferenceCase {
  model: string;
  /** Channels-first input without batch, as PyTorch takes it. */
  input: [number, number, number];
  /** In the default (quick) run; the others run with CNN_DESIGNER_FULL_REFERENCE=1. */
  quick?: boolean;
}

const both = (model: string, sizes: number[], quickSizes: number[] = [], channels = 3): ReferenceCase[] =>
  sizes.map((s) => ({ model, input: [channels, s, s], quick: quickSizes.includes(s) }));

/**
 * Networks today's catalog expresses exactly, at two input sizes each. The second size is odd where
 * the network allows it; VGG and AlexNet end in an adaptive pool to 7×7 / 6×6, which the converter
 * writes as an average pool where the feature map divides evenly (231 → 7, 227 → 6) and as
 * AdaptiveAvgPool2D elsewhere (193).
 */
export const EXPRESSIBLE_CASES: ReferenceCase[] = [
  ...both('resnet18', [224, 193], [224, 193]),
  ...both('resnet34', [224, 193]),
  ...both('resnet50', [224, 193], [193]),
  ...both('wide_resnet50_2', [224, 193]),
  ...both('vgg11', [224, 231]),
  ...both('vgg16', [224, 231]),
  ...both('vgg11_bn', [224, 231]),
  ...both('alexnet', [224, 227], [227]),
  ...both('densenet121', [224, 193]),
  ...both('googlenet', [224, 193], [193]),
  ...both('inception_v3', [299, 331]),
  ...both('squeezenet1_0', [224, 193]),
  ...both('squeezenet1_1', [224, 193], [224, 193]),
  // Odd sizes where the adaptive pool to 7×7 / 6×6 does not divide the feature map: AdaptiveAvgPool2D.
  ...both('vgg11_bn', [193]),
  ...both('alexnet', [193], [193]),
  // Segmentation heads: a bilinear Upsample2D to the input image's size (its 2nd input).
  ...both('fcn_resnet50', [224]),
  ...both('deeplabv3_resnet50', [224]),
  // The paper's U-Net at its 572 and at 508, the next size whose valid convolutions and poolings all stay even.
  ...both('unet', [572, 508], [508], 1),
  // Grouped and depthwise convolutions (groups); MobileNetV3 and RegNetY with squeeze-and-excitation.
  ...both('mobilenet_v2', [224, 193], [224]),
  ...both('mnasnet0_5', [224, 193]),
  ...both('resnext50_32x4d', [224, 193]),
  ...both('regnet_x_400mf', [224, 193]),
  ...both('mobilenet_v3_small', [224, 193], [224]),
  ...both('mobilenet_v3_large', [224, 193]),
  ...both('mnasnet1_0', [224, 193]),
  ...both('regnet_y_400mf', [224, 193], [224]),
  // Grouped convolutions with DropPath (EfficientNet), channel shuffle and slices (ShuffleNet v2), LayerNorm and
  // layer scale (ConvNeXt), and the MobileNetV3 segmentation heads (bilinear Upsample2D).
  ...both('efficientnet_b0', [224, 193], [224]),
  ...both('shufflenet_v2_x0_5', [224, 193], [224]),
  ...both('shufflenet_v2_x1_0', [224, 193]),
  ...both('convnext_tiny', [224, 193]),
  ...both('deeplabv3_mobilenet_v3_large', [224, 193]),
  ...both('lraspp_mobilenet_v3_large', [224, 193], [224]),
];

/** Networks that need layer types or parameters of issue 15's format (or cannot be converted yet): reported, not failed. */
export const PROGRESS_CASES: ReferenceCase[] = [
  ...both('efficientnet_v2_s', [224]),
  // Transformers: outside issue 15's scope (CNNs), listed so the table shows where the converter stops.
  ...both('vit_b_16', [224]),
  ...both('swin_t', [224]),
];

export const caseTag = (c: ReferenceCase): string => `${c.model}_${c.input.join('x')}`;

export const fullRun = (): boolean => process.env.CNN_DESIGNER_FULL_REFERENCE === '1';

/** Why the reference cannot run here, or undefined when PyTorch and torchvision are importable. */
export function torchMissing(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} does not run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} cannot import torch and torchvision (install python3-torch and python3-torchvision)`;
  return undefined;
}

export const CONVERTER = join(__dirname, 'torchvisionToDesign.py');

/**
 * Converts the cases that are not in `dir` yet, in one Python process (imports dominate small
 * networks). Returns the converter's printed summary.
 */
export function convertCases(cases: ReferenceCase[], dir: string, options: { saveWeights?: string[] } = {}): string {
  const todo = cases.filter((c) => !existsSync(join(dir, `${caseTag(c)}.reference.json`)));
  if (todo.length === 0) return '';
  const jobs = join(dir, `jobs-${process.pid}-${Date.now()}.json`);
  writeFileSync(jobs, JSON.stringify(todo.map((c) => ({ model: c.model, input: c.input, saveWeights: options.saveWeights?.includes(caseTag(c)) ?? false }))));
  const r = spawnSync(PYTHON, [CONVERTER, '--jobs', jobs, '--out', dir], {
    encoding: 'utf8',
    timeout: 1_800_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PYTHONWARNINGS: 'ignore' },
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${CONVERTER} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export interface ReferenceNode {
  shape: number[];
  params: number;
  buffers: number;
  torch: string;
  stateDict?: Record<string, { key: string; kind: string; permuteColumnsFromCHW?: number[] }>;
}

export interface Reference {
  model: string;
  input: number[];
  error?: string;
  order: string[];
  nodes: Record<string, ReferenceNode>;
  outputs: string[];
  outputShapes: number[][];
  totals: { params: number; buffers: number; modelParams: number; unusedStateKeys: string[] };
  newFormat: Record<string, number>;
  unsupported: { node: string; op: string; reason: string }[];
  files?: { stateDict: string; io: string };
}

export interface CaseResult {
  tag: string;
  case: ReferenceCase;
  reference?: Reference;
  designText?: string;
  /** Converter crash, unsupported ops, or types/params/values today's catalog does not know. */
  status: 'exact' | 'mismatch' | 'needs new layer types' | 'unsupported ops' | 'conversion failed';
  /** What today's catalog lacks for this design: "Type", "Type.param" or "Type.param=value". */
  needs: string[];
  /** Design errors that are not about unknown types or params. */
  errors: string[];
  layers: number;
  ourTrainable?: number;
  ourTotal?: number;
  shapeMismatches: { id: string; ours?: number[]; torch: number[] }[];
  paramMismatches: { id: string; ours: [number, number]; torch: [number, number] }[];
  detail: string;
}

const UNKNOWN_CODES = new Set(['unknown-layer-type', 'unknown-param']);

/** Analyzes a converted design and compares it with PyTorch's reference, node by node and in total. */
export function compareCase(c: ReferenceCase, dir: string): CaseResult {
  const tag = caseTag(c);
  const base: CaseResult = { tag, case: c, status: 'conversion failed', needs: [], errors: [], layers: 0, shapeMismatches: [], paramMismatches: [], detail: '' };
  const refPath = join(dir, `${tag}.reference.json`);
  if (!existsSync(refPath)) return { ...base, detail: 'no reference written' };
  const reference = JSON.parse(readFileSync(refPath, 'utf8')) as Reference;
  if (reference.error) return { ...base, reference, detail: reference.error.split('\n')[0].slice(0, 160) };
  const designText = readFileSync(join(dir, `${tag}.cnn.json`), 'utf8');
  const { analysis, diagnostics } = analyzeDocument(designText);
  const design = JSON.parse(designText) as { nodes: { id: string; type: string; params: Record<string, unknown> }[] };
  const byId = new Map(design.nodes.map((n) => [n.id, n]));
  const needs = new Set<string>();
  const errors = new Set<string>();
  for (const d of diagnostics) {
    const nodeId = d.nodeId ?? (d.path?.[0] === 'nodes' && typeof d.path[1] === 'number' ? design.nodes[d.path[1]]?.id : undefined);
    const node = nodeId ? byId.get(nodeId) : undefined;
    const param = d.path?.[2] === 'params' && typeof d.path[3] === 'string' ? d.path[3] : undefined;
    if (UNKNOWN_CODES.has(d.code)) needs.add(d.code === 'unknown-layer-type' ? node?.type ?? d.message : `${node?.type}.${param}`);
    else if (d.code === 'invalid-param' && node && param) needs.add(`${node.type}.${param}=${JSON.stringify(node.params[param])}`);
    else if (d.severity === 'error') errors.add(`${nodeId ?? ''}: ${d.code}`);
  }
  const result: CaseResult = {
    ...base,
    reference,
    designText,
    needs: [...needs].sort(),
    errors: [...errors],
    layers: design.nodes.length,
    ourTrainable: analysis?.totals.trainableParams,
    ourTotal: analysis?.totals.params,
  };
  for (const id of reference.order) {
    const ours = analysis?.nodes[id];
    const torch = reference.nodes[id];
    if (!ours?.outputShape || ours.outputShape.join() !== torch.shape.join()) result.shapeMismatches.push({ id, ours: ours?.outputShape, torch: torch.shape });
    if (ours && (ours.trainableParams !== torch.params || ours.nonTrainableParams !== torch.buffers)) {
      result.paramMismatches.push({ id, ours: [ours.trainableParams, ours.nonTrainableParams], torch: [torch.params, torch.buffers] });
    }
  }
  const totalsEqual = result.ourTrainable === reference.totals.params && result.ourTotal === reference.totals.params + reference.totals.buffers;
  // The design's outputs (nodes no edge leaves) are the network's outputs: no dangling layer, none missing.
  const ourOutputs = [...(analysis?.outputIds ?? [])].sort().join(', ');
  const torchOutputs = [...new Set(reference.outputs)].sort().join(', ');
  if (reference.unsupported.length) {
    result.status = 'unsupported ops';
    result.detail = [...new Set(reference.unsupported.map((u) => u.reason))].join('; ');
  } else if (result.needs.length) {
    result.status = 'needs new layer types';
    result.detail = result.needs.join(', ');
  } else if (result.errors.length || result.shapeMismatches.length || result.paramMismatches.length || !totalsEqual || ourOutputs !== torchOutputs) {
    result.status = 'mismatch';
    result.detail = [
      ...result.errors.slice(0, 3),
      ...result.shapeMismatches.slice(0, 3).map((m) => `${m.id}: [${m.ours?.join(', ') ?? '?'}] vs PyTorch [${m.torch.join(', ')}]`),
      ...result.paramMismatches.slice(0, 3).map((m) => `${m.id}: ${m.ours.join('+')} vs PyTorch ${m.torch.join('+')}`),
      ourOutputs === torchOutputs ? '' : `outputs ${ourOutputs} vs PyTorch ${torchOutputs}`,
      totalsEqual ? '' : `totals ${result.ourTrainable}/${result.ourTotal} vs PyTorch ${reference.totals.params}/${reference.totals.params + reference.totals.buffers}`,
    ]
      .filter(Boolean)
      .join('; ');
  } else {
    result.status = 'exact';
  }
  return result;
}

const fmt = (n: number | undefined): string => (n === undefined ? '?' : n.toLocaleString('en-US'));

/** The progress table: one row per network and input size. */
export function formatTable(results: CaseResult[]): string {
  const rows = results.map((r) => [
    r.case.model,
    r.case.input.join('×'),
    r.reference?.totals ? `${fmt(r.ourTrainable)} / ${fmt(r.reference.totals.params)}` : '',
    r.layers ? String(r.layers) : '',
    r.reference?.order ? (r.shapeMismatches.length === 0 ? 'y' : `n (${r.shapeMismatches.length})`) : '',
    r.status + (r.detail ? `: ${r.detail}` : ''),
  ]);
  const head = ['network', 'input', 'params ours / PyTorch', 'layers', 'shapes equal', 'status'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.slice().map((row) => (i === 5 ? 0 : row[i].length))));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 5 ? c : c.padEnd(widths[i]))).join(' | ');
  return [line(head), widths.map((w, i) => (i === 5 ? '---' : '-'.repeat(w))).join('-|-'), ...rows.map(line)].join('\n');
}

export interface OutputCheck {
  /** Weights of the export that no network tensor filled, and network tensors the export lacks. */
  missing: string[];
  unexpected: string[];
  outputs: number;
  expectedOutputs: number;
  maxDiff: number;
  maxAbs: number;
  shapeMismatch?: boolean;
}

/**
 * Exports a converted design (converted with saveWeights) to PyTorch, loads the network's own
 * weights into it and compares its outputs with the network's on the same seeded input.
 */
export function checkOutputs(c: ReferenceCase, dir: string): OutputCheck {
  const tag = caseTag(c);
  const design = parseDesign(readFileSync(join(dir, `${tag}.cnn.json`), 'utf8')).design!;
  const modulePath = join(dir, `${tag}_export.py`);
  writeFileSync(modulePath, exportDesign(design, 'pytorch').files[0].code);
  const job = join(dir, `${tag}_check.json`);
  const names = Object.fromEntries(identifierNames(design));
  writeFileSync(job, JSON.stringify({ module: modulePath, className: className(design.name), reference: join(dir, `${tag}.reference.json`), names }));
  return JSON.parse(runPython([join(__dirname, 'checkReferenceOutputs.py'), job]).stdout) as OutputCheck;
}
