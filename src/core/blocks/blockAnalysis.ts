import { closestName } from '../closestName';
import type { Design, Shape } from '../design';
import type { NodeAnalysis } from '../analysis/analyzeDesign';
import type { Diagnostic, Severity } from '../analysis/diagnostic';
import type { JsonPath } from '../format/parseJsonWithLocations';
import { isExpression } from './blockExpression';
import { nodeIdProblem } from '../format/nodeIdProblem';
import type { BlockExpansion } from './expandBlocks';

/** A block instance (or a stage of repeats) as one node: the layers inside it summed. */
export interface InstanceAnalysis extends NodeAnalysis {
  /** The block's name (also in `type`). */
  block: string;
  /** Shapes of each of the block's outputs, in its order. */
  outputShapes: (Shape | undefined)[];
  /** The flattened layers inside it. */
  nodeIds: string[];
  /** The copies of a stage. */
  copies?: string[];
  args?: Record<string, unknown>;
}

const RANK: Record<'ok' | Severity, number> = { ok: 0, info: 1, warning: 2, error: 3 };

/**
 * The diagnostics of the flattened design, pointed back at the text: a layer made by an instance
 * is reported at its node in the block definition, naming the instance ("In layer2.0 (BasicBlock):
 * …") and, for a parameter computed from an expression, the expression and its value. Fixes that
 * would edit a layer inside a block are kept only as advice (the design has no such layer).
 */
export function locateBlockDiagnostics(design: Design, expansion: BlockExpansion, diagnostics: Diagnostic[]): Diagnostic[] {
  const flat = expansion.design;
  const blockNames = Object.keys(design.blocks ?? {});
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const path = d.path;
    if (!path || (path[0] !== 'nodes' && path[0] !== 'edges')) {
      out.push(d);
      continue;
    }
    if (path[0] === 'edges') {
      const written = expansion.edgePaths[path[1] as number];
      const inside = written && written[0] === 'blocks';
      out.push({ ...d, path: written ? [...written, ...path.slice(2)] : undefined, fixes: inside ? d.fixes.filter((f) => !f.edit) : d.fixes });
      continue;
    }
    const node = typeof path[1] === 'number' ? flat.nodes[path[1]] : undefined;
    if (!node) {
      out.push({ ...d, path: ['nodes'] });
      continue;
    }
    if (expansion.failed.has(node.id) && d.code === 'unknown-layer-type') continue; // the expansion said why
    const origin = expansion.origins.get(node.id);
    if (!origin) {
      const index = expansion.topIndex.get(node.id);
      let message = d.message;
      if (d.code === 'unknown-layer-type') {
        const meant = closestName(node.type, blockNames);
        if (meant) message = `"${node.type}" is neither a layer type nor a block. Did you mean the block "${meant}"?`;
        else if (blockNames.length) message = `${d.message} Blocks of this design: ${blockNames.join(', ')}.`;
        const fixes = meant ? [{ title: `Change the type to ${meant}` }] : d.fixes;
        out.push({ ...d, message, fixes, path: index === undefined ? undefined : ['nodes', index, ...path.slice(2)] });
        continue;
      }
      out.push({ ...d, path: index === undefined ? undefined : ['nodes', index, ...path.slice(2)] });
      continue;
    }
    const rest = path.slice(2);
    let where = `${origin.instance} (${origin.block})`;
    if (rest[0] === 'params' && typeof rest[1] === 'string') {
      const defined = (design.blocks?.[origin.block]?.nodes.find((n) => n.id === origin.localId)?.params ?? {})[rest[1]];
      if (isExpression(defined)) where += `, where ${JSON.stringify(defined)} is ${JSON.stringify(node.params[rest[1]])}`;
    }
    const definitionPath: JsonPath = [...origin.definitionPath, ...rest];
    out.push({
      ...d,
      nodeId: origin.topNodeId,
      path: definitionPath,
      line: undefined,
      column: undefined,
      // A node id inside a block may break the id rule (that is the message then): never print it raw.
      message: `In ${where}, layer ${nodeIdProblem(origin.localId) ? 'with an invalid id' : `"${origin.localId}"`}: ${d.message}`,
      fixes: d.fixes.filter((f) => !f.edit),
    });
  }
  return out;
}

/** Each instance's shapes, parameters, MACs, memory and receptive field from the layers inside it. */
export function analyzeBlockInstances(expansion: BlockExpansion, nodes: Record<string, NodeAnalysis>, diagnostics: Diagnostic[] = []): Record<string, InstanceAnalysis> {
  const result: Record<string, InstanceAnalysis> = Object.create(null);
  const worstAt = new Map<string, 'ok' | Severity>();
  for (const d of diagnostics) {
    const key = JSON.stringify(d.path);
    if (RANK[d.severity] > RANK[worstAt.get(key) ?? 'ok']) worstAt.set(key, d.severity);
  }
  for (const instance of expansion.instances) {
    const inside = instance.nodeIds.map((id) => nodes[id]).filter((n): n is NodeAnalysis => !!n);
    const outputs = instance.outputSources.map((id) => (id ? nodes[id] : undefined));
    const main = outputs[0];
    let status: 'ok' | Severity = worstAt.get(JSON.stringify(instance.path)) ?? 'ok';
    for (const n of inside) if (RANK[n.status] > RANK[status]) status = n.status;
    const sum = (key: 'params' | 'trainableParams' | 'nonTrainableParams' | 'macs' | 'activationBytes'): number => inside.reduce((a, n) => a + n[key], 0);
    const entry: InstanceAnalysis = {
      id: instance.id,
      type: instance.block,
      block: instance.block,
      summary: instance.copies ? `${instance.copies.length} × ${instance.block}` : `${instance.block}(${Object.entries(instance.args ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})`,
      inputShapes: instance.inputSources.map((id) => (id ? nodes[id]?.outputShape : undefined)).filter((s): s is Shape => !!s),
      outputShape: main?.outputShape,
      outputShapes: outputs.map((n) => n?.outputShape),
      params: sum('params'),
      trainableParams: sum('trainableParams'),
      nonTrainableParams: sum('nonTrainableParams'),
      macs: sum('macs'),
      activationBytes: sum('activationBytes'),
      receptiveField: main?.receptiveField,
      effectiveStride: main?.effectiveStride,
      status,
      nodeIds: instance.nodeIds,
    };
    if (instance.copies) entry.copies = instance.copies;
    if (instance.args) entry.args = instance.args;
    result[instance.id] = entry;
  }
  return result;
}
