import type { CompiledGraph } from './compileGraph';

const thousands = (n: number): string => n.toLocaleString('en-US');

/**
 * The header every export starts with: design name, input shape(s) and parameter totals, so a file
 * found later still says what it is. `layout` tells how the target lays out the input.
 */
export function exportHeader(graph: CompiledGraph, target: string, layout: (shape: number[]) => string): string[] {
  const { design, analysis } = graph;
  const t = analysis.totals;
  const inputs = graph.nodes.filter((c) => c.node.type === 'Input');
  const lines = [
    `${design.name}: ${target}, exported by CNN Designer.`,
    ...(design.description ? [design.description] : []),
    ...inputs.map((c) => `Input${inputs.length > 1 ? ` ${c.node.id}` : ''}: [${c.outputShape.join(', ')}] per sample in the designer (channels last); ${layout(c.outputShape)}.`),
    `Output${t.outputShapes.length > 1 ? 's' : ''}: ${t.outputShapes.map((s) => `[${s.join(', ')}]`).join(', ')} (channels last).`,
    `Parameters: ${thousands(t.trainableParams)} trainable + ${thousands(t.nonTrainableParams)} non-trainable = ${thousands(t.params)}.`,
  ];
  return lines;
}

/** The design name as Keras and TF.js accept a model name (no spaces or slashes). */
export const modelName = (designName: string): string => designName.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'model';
