import { closestName } from '../closestName';
import type { Design, DesignEdge, Shape } from '../design';
import { DesignGraph, type IndexedEdge } from '../graph/DesignGraph';
import { nodeIdProblem, safeNodeId } from '../format/nodeIdProblem';
import type { AxisFormula } from '../layers/layerType';
import { broadcastAlongSpace, spatiallyOne } from '../layers/broadcastAlongSpace';
import { formatBytes, formatCount } from '../summary/formatNumber';
import type { Diagnostic, Severity, SuggestedFix } from './diagnostic';
import { analyzeLayer, emptyNodeAnalysis, reconnectFix, type EdgeRepair, type LayerAnalysisContext } from './analyzeLayer';
import { mergeFixes } from './mergeFixes';
import { diagnosticKey, workingFixes, type FixTrial } from './workingFixes';

/** Fixes tried per analysis at most (each is one analysis of the changed design); later ones are kept untried. */
const FIX_TRIES = 100;
import { validateTrainingSettings } from '../training/validateTrainingSettings';
import { expandBlocks, usesBlocks, type BlockExpansion } from '../blocks/expandBlocks';
import { analyzeBlockInstances, locateBlockDiagnostics, type InstanceAnalysis } from '../blocks/blockAnalysis';
import { resolveBlockFiles, type BlockFileSource } from '../blocks/resolveBlockFiles';

export interface NodeAnalysis {
  id: string;
  type: string;
  /** Short hyperparameter text for the block, e.g. "32 @ 3×3, s1, same". */
  summary?: string;
  /** Shapes arriving on the incoming edges, in edge order. */
  inputShapes: Shape[];
  outputShape?: Shape;
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  macs: number;
  /** Bytes of this layer's output for one sample in float32. */
  activationBytes: number;
  receptiveField?: number[];
  effectiveStride?: number[];
  formulas?: AxisFormula[];
  /** Worst diagnostic on this node. */
  status: 'ok' | Severity;
  /** The parameters after defaults, when they are valid. */
  resolvedParams?: Record<string, unknown>;
}

export interface DesignTotals {
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  macs: number;
  /** float32 weights, bytes. */
  weightBytes: number;
  /** Sum of every layer's float32 output for one sample, bytes. */
  activationBytes: number;
  /** Largest receptive field in the network (at its deepest spatial layer), per spatial axis. */
  receptiveField?: number[];
  /** Output shapes of the model's outputs (nodes no edge leaves). */
  outputShapes: Shape[];
}

export interface DesignAnalysis {
  /** The design's wiring (inputs and consumers of each node, order, cycles), built once for every reader. */
  graph: DesignGraph;
  /** Node ids in an order where every node comes after its inputs (nodes in cycles are left out). */
  order: readonly string[];
  nodes: Record<string, NodeAnalysis>;
  totals: DesignTotals;
  diagnostics: Diagnostic[];
  inputIds: readonly string[];
  outputIds: readonly string[];
  /** True when there are no errors: the design can be compiled, trained and exported. */
  valid: boolean;
  /**
   * For a design with blocks: the flattened design the graph, order and nodes above describe (ids
   * "<instance>.<node>"), and where each of its nodes comes from.
   */
  expansion?: BlockExpansion;
  /** For a design with blocks: each instance (and stage of repeats), summed over the layers inside it. */
  instances?: Record<string, InstanceAnalysis>;
  /**
   * For a design taking blocks from other files: the design analyzed, with their definitions in its
   * `blocks` (what exports and training use), and the files asked for, found or not.
   */
  blockFiles?: { design: Design; files: string[] };
}

export interface AnalysisOptions {
  /** Memory of the machine that trains, in bytes: the host and the CLI pass os.totalmem(). */
  machineMemoryBytes?: number;
  /**
   * Search the graph for fixes of merges and mistyped connections, trying each on the design and
   * keeping those that work (default true; only designs with such errors pay for it). The tries
   * themselves analyze without it.
   */
  searchFixes?: boolean;
  /**
   * The design files its blocks come from ("from" in "blocks"), by path relative to the design's
   * folder; the host reads them. Without it, a design that takes blocks from other files reports them unread.
   */
  blockFiles?: BlockFileSource;
}

/** The memory assumed where the machine's is not known (the webview): a common laptop's. */
export const DEFAULT_MACHINE_MEMORY_BYTES = 16 * 1024 ** 3;

/** Float32 copies of every parameter while training with Adam: weights, gradients and two moments. */
const TRAINING_COPIES = 4;

export const SEVERITY_RANK: Record<'ok' | Severity, number> = { ok: 0, info: 1, warning: 2, error: 3 };

/**
 * Everything the designer shows about a design: per-layer shapes, parameters, MACs, memory,
 * receptive fields and diagnostics with fixes. Works on any design, valid or not, without
 * throwing; runs on every keystroke, so it is linear in nodes and edges.
 */
export function analyzeDesign(design: Design, options: AnalysisOptions = {}): DesignAnalysis {
  if (design.blockImports) {
    // Blocks of other files are analyzed as if defined here; their problems are shown at the import that brings them in.
    const resolved = resolveBlockFiles(design, options.blockFiles);
    const analysis = analyzeDesign(resolved.design, options);
    const diagnostics = [...resolved.diagnostics, ...resolved.locate(analysis.diagnostics)];
    return { ...analysis, diagnostics, valid: !diagnostics.some((d) => d.severity === 'error'), blockFiles: { design: resolved.design, files: resolved.files } };
  }
  if (!usesBlocks(design)) return analyzeFlatDesign(design, options);
  // A design with blocks is analyzed as the plain design it expands to; its diagnostics then point
  // back at the instance and the block definition that made each layer.
  const expansion = expandBlocks(design);
  const flat = analyzeFlatDesign(expansion.design, options);
  const diagnostics = [...expansion.diagnostics, ...locateBlockDiagnostics(design, expansion, flat.diagnostics)];
  return { ...flat, diagnostics, valid: !diagnostics.some((d) => d.severity === 'error'), expansion, instances: analyzeBlockInstances(expansion, flat.nodes, expansion.diagnostics) };
}

/** The analysis of a design without blocks. */
function analyzeFlatDesign(design: Design, options: AnalysisOptions): DesignAnalysis {
  const diagnostics: Diagnostic[] = [];
  const graph = DesignGraph.fromDesign(design);
  const nodes: Record<string, NodeAnalysis> = Object.create(null);
  for (const n of design.nodes) nodes[n.id] = emptyNodeAnalysis(n.id, n.type);

  const push = (d: Diagnostic): void => {
    diagnostics.push(d);
    if (d.nodeId && nodes[d.nodeId] && SEVERITY_RANK[d.severity] > SEVERITY_RANK[nodes[d.nodeId].status]) nodes[d.nodeId].status = d.severity;
  };

  // Ids reach generated code, weight names and messages: a stranger's id must not carry code.
  // The set of taken ids is only built when some id needs a new name.
  let allIds: Set<string> | undefined;
  graph.ids.forEach((id) => {
    const problem = nodeIdProblem(id);
    if (!problem) return;
    const index = graph.indexOf(id);
    allIds ??= new Set(design.nodes.map((n) => n.id));
    const newId = safeNodeId(id, allIds);
    allIds.add(newId);
    push({
      severity: 'error',
      code: 'invalid-node-id',
      nodeId: id,
      path: ['nodes', index, 'id'],
      message: `${problem} Ids name the layer in exported code and weight files.`,
      fixes: [{ title: `Rename the layer to "${newId}"`, edit: { kind: 'renameNode', nodeId: id, newId } }],
    });
  });

  // Connections: those joining two known nodes count, once each; the graph lists the others.
  /** Connections naming a layer that does not exist, with what they probably meant. */
  const danglingEdges: DesignEdge[] = [];
  const repairs: EdgeRepair[] = [];
  // In declared order, as the Problems panel lists them.
  const rejected: { edge: IndexedEdge; missing?: string[] }[] = [...graph.danglingEdges, ...graph.duplicateEdges.map((edge) => ({ edge }))];
  if (graph.danglingEdges.length && graph.duplicateEdges.length) rejected.sort((x, y) => x.edge.index - y.edge.index);
  for (const { edge, missing } of rejected) {
    const path = ['edges', edge.index];
    if (missing) {
      danglingEdges.push(edge);
      // A try of a fix only needs which problems remain, not the guesses that repair a mistyped end
      // (each compares the name with every id: too slow to repeat in every try of a large design).
      const meant = (id: string): string | undefined => (graph.has(id) ? id : options.searchFixes === false ? undefined : closestName(id, graph.ids));
      const newSource = meant(edge.source);
      const newTarget = meant(edge.target);
      const repair: EdgeRepair | undefined =
        newSource !== undefined && newTarget !== undefined && newSource !== newTarget
          ? { edge, newSource, newTarget, guesses: missing.map((typed) => ({ typed, meant: typed === edge.source ? newSource : newTarget })) }
          : undefined;
      if (repair) repairs.push(repair);
      push({
        severity: 'error',
        code: 'dangling-edge',
        message: `The connection ${edge.source} → ${edge.target} refers to ${missing.map((m) => `"${m}"`).join(' and ')}, which ${missing.length > 1 ? 'are not nodes' : 'is not a node'} of this design.${
          repair ? ` Did you mean ${repair.guesses.map((g) => `"${g.meant}"`).join(' and ')}?` : ''
        }`,
        edge: { source: edge.source, target: edge.target },
        path,
        fixes: [...(repair ? [reconnectFix(repair)] : []), { title: 'Remove this connection', edit: { kind: 'removeEdge', source: edge.source, target: edge.target } }],
      });
      continue;
    }
    push({
      severity: 'warning',
      code: 'duplicate-edge',
      message: `${edge.source} → ${edge.target} is connected twice; the second connection is ignored.`,
      edge: { source: edge.source, target: edge.target },
      path,
      fixes: [],
    });
  }

  const order = graph.order;
  if (!graph.acyclic) {
    const cycle = graph.findCycle();
    const closing = cycle.length ? { source: cycle[cycle.length - 1], target: cycle[0] } : undefined;
    for (const id of cycle.length ? cycle : graph.cyclic) {
      push({
        severity: 'error',
        code: 'cycle',
        nodeId: id,
        path: ['nodes', graph.indexOf(id)],
        message: `The connections form a loop (${[...cycle, cycle[0]].join(' → ')}); a CNN must be a graph without cycles.`,
        fixes: closing ? [{ title: `Remove the connection ${closing.source} → ${closing.target}`, edit: { kind: 'removeEdge', ...closing } }] : [],
      });
    }
  }

  const inputIds = graph.inputIds;
  /** A node's incoming connections, in declared order. */
  const inEdgesOf = (id: string): DesignEdge[] => graph.inputs(id).map((source) => ({ source, target: id }));
  if (inputIds.length === 0) {
    push({
      severity: 'error',
      code: 'missing-input',
      path: design.nodes.length ? ['nodes'] : [],
      message: 'The design has no Input layer, so no shape can be computed. Add an Input with the shape of one sample, e.g. [28, 28, 1] for MNIST or [32, 32, 3] for CIFAR-10.',
      fixes: [],
    });
  }

  const layerContext: LayerAnalysisContext = { design, graph, nodes, danglingEdges, repairs };
  const beforeLayers = diagnostics.length;
  /** Each layer's own problems, in the order reported, for a later re-analysis of some of them. */
  const layerDiagnostics = new Map<string, Diagnostic[]>();
  for (const id of order) {
    const first = diagnostics.length;
    analyzeLayer(layerContext, id, push);
    if (diagnostics.length > first) layerDiagnostics.set(id, diagnostics.slice(first));
  }
  const afterLayers = diagnostics.length;

  // Layers whose output goes nowhere: fine for the last layer, a mistake for the others.
  const sinks = order.filter((id) => graph.consumers(id).length === 0);
  const outputIds = graph.outputIds;
  for (const id of sinks) {
    const node = design.nodes[graph.indexOf(id)];
    if (node.type === 'Input' && design.nodes.length > 1) {
      push({
        severity: 'warning',
        code: 'unused-input',
        nodeId: id,
        path: ['nodes', graph.indexOf(id)],
        message: `Input "${id}" is not connected to any layer.`,
        fixes: [],
      });
    }
  }
  // A layer without any input already has its error (dangling-node); its unused output is not news.
  const connectedOutputs = outputIds.filter((id) => graph.arity(id) > 0);
  if (connectedOutputs.length > 1) {
    const main = connectedOutputs[connectedOutputs.length - 1];
    for (const id of connectedOutputs.slice(0, -1)) {
      // Its output may be meant for a connection whose source name is mistyped.
      const repaired = repairs.filter((r) => r.newSource === id && r.edge.source !== id);
      push({
        severity: 'warning',
        code: 'dangling-output',
        nodeId: id,
        path: ['nodes', graph.indexOf(id)],
        message: `The output of "${id}" is not used by any layer, so the model gets a second output besides "${main}". ${
          repaired.length ? `The connection ${repaired.map((r) => `${r.edge.source} → ${r.edge.target}`).join(', ')} probably means it.` : 'Connect it onward, or delete it.'
        }`,
        fixes: repaired.length ? repaired.map(reconnectFix) : [{ title: 'Delete this layer', edit: { kind: 'removeNode', nodeId: id } }],
      });
    }
  }

  // The training block is checked here too, so a setting no engine can honour is a located problem before any run.
  for (const d of validateTrainingSettings(design.training)) push(d);

  const afterChecks = diagnostics.slice(afterLayers);
  const totals = designTotals(order, nodes, outputIds, graph);
  const searchesFixes = needsFixSearch(diagnostics, options);
  if (searchesFixes) {
    // Every fix is tried before it is offered; a merge's and a layer without input's are searched for here.
    const trial: FixTrial = {
      analysisOf: (changed: Design) => analyzeDesign(changed, { ...options, searchFixes: false }),
      errorsBefore: new Set(diagnostics.filter((d) => d.severity === 'error').map(diagnosticKey)),
      budget: { tries: FIX_TRIES },
    };
    for (const d of diagnostics) {
      if (d.code === 'merge-shape-mismatch' && d.nodeId) {
        d.fixes = mergeFixes(design, nodes, inEdgesOf(d.nodeId), (id) => graph.consumers(id).length, d, trial);
        continue;
      }
      // A layer without input and no guess from a mistyped name: the layer above it may be its input.
      const guessed = d.fixes.some((f) => f.edit?.kind === 'reconnectEdge');
      const candidates = d.code === 'dangling-node' && d.nodeId && !guessed ? [...connectFromAbove(design, d.nodeId, nodes), ...d.fixes] : d.fixes;
      const working = new Set(workingFixes(design, d, candidates, trial).map((w) => w.fix));
      // Fixes without an edit are advice in words; they stay.
      d.fixes = candidates.filter((f) => !f.edit || working.has(f));
    }
  }
  const memoryWarning = parameterMemoryWarning(totals, order, nodes, graph, options);
  if (memoryWarning) push(memoryWarning);
  const analysis: DesignAnalysis = { graph, order, nodes, totals, diagnostics, inputIds, outputIds, valid: !diagnostics.some((d) => d.severity === 'error') };
  // Fixes found by trying them, and the memory warning, depend on the whole design: an analysis
  // with either is not the start of a re-analysis.
  if (!searchesFixes && !memoryWarning) {
    ANALYSIS_PARTS.set(analysis, { design, options, beforeLayers: diagnostics.slice(0, beforeLayers), layerDiagnostics, afterLayers: afterChecks, danglingEdges, repairs });
  }
  return analysis;
}

/** How a design without blocks was analyzed, kept for re-analyzing it after an edit of some layers. */
export interface AnalysisParts {
  design: Design;
  options: AnalysisOptions;
  /** Problems of ids, connections, cycles and inputs, found before any layer is analyzed. */
  beforeLayers: Diagnostic[];
  /** Each layer's own problems, in the order reported (layers without any are left out). */
  layerDiagnostics: ReadonlyMap<string, Diagnostic[]>;
  /** Problems of unused outputs and inputs and of the training settings, found after the layers. */
  afterLayers: Diagnostic[];
  danglingEdges: readonly DesignEdge[];
  repairs: readonly EdgeRepair[];
}

const ANALYSIS_PARTS = new WeakMap<DesignAnalysis, AnalysisParts>();

/** The parts an analysis was built from, when it can be re-analyzed after an edit (see reanalyzeDesign). */
export function analysisPartsOf(analysis: DesignAnalysis): AnalysisParts | undefined {
  return ANALYSIS_PARTS.get(analysis);
}

/** Records the parts of an analysis built by re-analysis, so that the next edit can start from it. */
export function recordAnalysisParts(analysis: DesignAnalysis, parts: AnalysisParts): void {
  ANALYSIS_PARTS.set(analysis, parts);
}

/** Whether some problem's fixes must be searched for or tried on the design (merges, edits offered). */
export function needsFixSearch(diagnostics: readonly Diagnostic[], options: AnalysisOptions): boolean {
  return options.searchFixes !== false && diagnostics.some((d) => d.code === 'merge-shape-mismatch' || d.fixes.some((f) => f.edit));
}

/**
 * The layers whose field reaches an output other than through a broadcast input: an SE gate's
 * global pool sees the whole image, but the outputs only see it as a per-channel scale, so its
 * field is not the network's.
 */
function fieldCarriers(order: readonly string[], nodes: Record<string, NodeAnalysis>, outputIds: readonly string[], graph: DesignGraph): Set<string> | undefined {
  // Most designs broadcast nothing along space: then every layer carries its field and no walk is
  // needed (the analysis runs on every keystroke). A broadcast starts at a spatially-1 output.
  let broadcasts = false;
  for (let i = 0; i < order.length && !broadcasts; i++) {
    const shape = nodes[order[i]]?.outputShape;
    if (!shape || !spatiallyOne(shape)) continue;
    for (const consumer of graph.consumers(order[i])) {
      if (nodes[consumer] && broadcastAlongSpace(shape, nodes[consumer].outputShape)) {
        broadcasts = true;
        break;
      }
    }
  }
  if (!broadcasts) return undefined;
  const seen = new Set<string>();
  const stack = outputIds.filter((id) => nodes[id]);
  for (const id of stack) seen.add(id);
  while (stack.length) {
    const id = stack.pop()!;
    for (const source of graph.inputs(id)) {
      if (seen.has(source) || !nodes[source] || broadcastAlongSpace(nodes[source].outputShape, nodes[id].outputShape)) continue;
      seen.add(source);
      stack.push(source);
    }
  }
  return seen;
}

/** The sums over the analyzed layers, the largest receptive field and the outputs' shapes. */
export function designTotals(order: readonly string[], nodes: Record<string, NodeAnalysis>, outputIds: readonly string[], graph: DesignGraph): DesignTotals {
  const carriers = fieldCarriers(order, nodes, outputIds, graph);
  const totals: DesignTotals = { params: 0, trainableParams: 0, nonTrainableParams: 0, macs: 0, weightBytes: 0, activationBytes: 0, outputShapes: [] };
  let bestField = 0;
  for (const id of order) {
    const n = nodes[id];
    totals.params += n.params;
    totals.trainableParams += n.trainableParams;
    totals.nonTrainableParams += n.nonTrainableParams;
    totals.macs += n.macs;
    totals.activationBytes += n.activationBytes;
    if (n.receptiveField && n.type !== 'Input' && (!carriers || carriers.has(id))) {
      let size = 1;
      for (const extent of n.receptiveField) size *= extent;
      if (size > bestField) {
        bestField = size;
        totals.receptiveField = n.receptiveField;
      }
    }
  }
  totals.weightBytes = 4 * totals.params;
  totals.outputShapes = outputIds.map((id) => nodes[id].outputShape).filter((s): s is Shape => !!s);
  return totals;
}

/** A stranger's design can ask for terabytes; say so before anything tries to allocate them. */
export function parameterMemoryWarning(totals: DesignTotals, order: readonly string[], nodes: Record<string, NodeAnalysis>, graph: DesignGraph, options: AnalysisOptions): Diagnostic | undefined {
  const memory = options.machineMemoryBytes ?? DEFAULT_MACHINE_MEMORY_BYTES;
  if (TRAINING_COPIES * totals.weightBytes <= memory) return undefined;
  const biggest = order.reduce((a, b) => (nodes[b].params > nodes[a].params ? b : a), order[0]);
  return {
    severity: 'warning',
    code: 'parameter-memory',
    nodeId: biggest,
    path: ['nodes', graph.indexOf(biggest)],
    message: `The parameters need ${formatBytes(totals.weightBytes)} in float32, and about ${formatBytes(TRAINING_COPIES * totals.weightBytes)} to train (weights, gradients and Adam's two moments): more than this machine's ${formatBytes(memory)} of memory. The largest layer is "${biggest}" with ${formatCount(nodes[biggest].params)} parameters.`,
    fixes: [],
  };
}

/**
 * For a layer left without input: connecting the layer declared just above it in the file, which is
 * where a chain's previous layer usually is (tried like every fix, so only offered when it works).
 */
function connectFromAbove(design: Design, id: string, nodes: Record<string, NodeAnalysis>): SuggestedFix[] {
  const index = design.nodes.findIndex((n) => n.id === id);
  const above = index > 0 ? design.nodes[index - 1] : undefined;
  if (!above || !nodes[above.id]?.outputShape) return [];
  return [{ title: `Connect ${above.id} → ${id} (the layer above it in the file)`, edit: { kind: 'addEdge', source: above.id, target: id } }];
}
