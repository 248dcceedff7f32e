import type { CompiledGraph } from './compileGraph';
import { exportHeader } from './exportHeader';
import { className } from './identifierNames';
import { pytorchBlockCode } from './pytorchBlocks';
import { pyCommentLines, pyCommentText, pyDocstringText } from './pythonSource';

/** The Python variable holding each node's output in `forward`: node names, with `x` for a lone input. */
export function pytorchVariables(graph: CompiledGraph): Map<string, string> {
  const vars = new Map<string, string>();
  const inputs = graph.nodes.filter((c) => c.node.type === 'Input');
  for (const c of graph.nodes) vars.set(c.node.id, inputs.length === 1 && c.node.type === 'Input' ? 'x' : c.name);
  return vars;
}

/** Channels-first shape of one sample: [H, W, C] → (C, H, W). */
export function channelsFirst(shape: number[]): number[] {
  return shape.length === 1 ? [...shape] : [shape[shape.length - 1], ...shape.slice(0, -1)];
}

const pyTuple = (values: number[]): string => `(${values.join(', ')}${values.length === 1 ? ',' : ''})`;

/** Reads the weights file the designer writes (safetensors layout) into a model of this class. */
const LOAD_WEIGHTS = `def load_weights(model, path):
    """Loads weights exported by CNN Designer: a safetensors file of float32 tensors named as in state_dict()."""
    with open(path, "rb") as f:
        header_size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_size))
        data = f.read()
    state = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        state[key] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(info["shape"])
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"{path} does not fit this model: missing {missing}, unexpected {unexpected}")
    return model`;

/**
 * A readable PyTorch `nn.Module`: one attribute per layer named after its node, `forward` walking the
 * graph with one variable per node, channels-first tensors throughout. Each layer type writes its own
 * code (`toPyTorch` in the catalog); this assembles them.
 */
export function exportPyTorch(graph: CompiledGraph): string {
  const cls = className(graph.design.name);
  const vars = pytorchVariables(graph);
  const inputs = graph.nodes.filter((c) => c.node.type === 'Input');
  const init: string[] = [];
  const forward: string[] = [];
  // A design with blocks reads like torchvision's code: a class per block, stages as nn.Sequential.
  const blocks = graph.source ? pytorchBlockCode(graph, graph.source) : undefined;
  if (blocks) {
    init.push(...blocks.init.map((l) => `        ${l}`));
    forward.push(...blocks.forward.map((l) => `        ${l}`));
  }
  const definitions = new Map<string, string>();
  // Every node is asked for its code, even inside blocks, for the helper definitions it needs.
  for (const c of graph.nodes) {
    const ctx = { module: (suffix = '') => `self.${c.name}${suffix}`, inputs: c.node.type === 'Input' ? [vars.get(c.node.id)!] : c.sources.map((s) => vars.get(s)!) };
    const code = c.layer.toPyTorch(c.params, c.inputShapes, ctx);
    for (const d of code.definitions ?? []) if (!definitions.has(d.name)) definitions.set(d.name, d.python);
    if (blocks) continue;
    for (const m of code.modules) init.push(`        self.${c.name}${m.suffix} = ${m.init}`);
    if (c.node.type === 'Input') continue;
    if (code.comment) forward.push(`        # ${pyCommentText(`${c.node.id}: ${code.comment}`)}`);
    forward.push(`        ${vars.get(c.node.id)} = ${code.forward}`);
  }
  const outputs = blocks ? blocks.outputVars : graph.outputIds.map((id) => vars.get(id)!);
  const header = exportHeader(graph, 'PyTorch nn.Module', (shape) => `this module takes (N, ${channelsFirst(shape).join(', ')})`).flatMap(pyCommentLines).map((l) => `# ${l}`);
  const inputShapes = inputs.map((c) => pyTuple(channelsFirst(c.outputShape)));
  const demoInputs = inputs.map((_, i) => `torch.randn(2, *INPUT_SHAPES[${i}])`).join(', ');
  return [
    ...header,
    'import json',
    'import struct',
    '',
    'import torch',
    'import torch.nn.functional as F',
    'from torch import nn',
    '',
    '# Channels-first shape of one sample, per input (without the batch axis).',
    `INPUT_SHAPES = [${inputShapes.join(', ')}]`,
    '',
    '',
    ...[...definitions.values()].flatMap((python) => [python, '', '']),
    ...(blocks ? blocks.classes.flatMap((c) => [c, '', '']) : []),
    `class ${cls}(nn.Module):`,
    `    """${pyDocstringText(graph.design.description ?? graph.design.name)}"""`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
    ...(init.length ? init : ['        pass']),
    '',
    `    def forward(self, ${(blocks ? blocks.inputVars : inputs.map((c) => vars.get(c.node.id))).join(', ')}):`,
    ...forward,
    `        return ${outputs.join(', ')}`,
    '',
    '',
    LOAD_WEIGHTS,
    '',
    '',
    'if __name__ == "__main__":',
    `    model = ${cls}().eval()`,
    '    with torch.no_grad():',
    `        output = model(${demoInputs})`,
    '    print(model)',
    `    print("output:", ${outputs.length > 1 ? '[tuple(o.shape) for o in output]' : 'tuple(output.shape)'})`,
    `    print("trainable parameters:", sum(p.numel() for p in model.parameters() if p.requires_grad))`,
    '',
  ].join('\n');
}
