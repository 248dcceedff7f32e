/** Builds a chain design (Input then layers, ids l1, l2, …) for the engine's own checks and benchmarks. */
import { emptyDesign, type Design } from '../../core/design';

export function chainDesign(inputShape: number[], layers: [type: string, params: Record<string, unknown>][], name = 'chain'): Design {
  const design = emptyDesign(name);
  design.nodes.push({ id: 'input', type: 'Input', params: { shape: inputShape } });
  let previous = 'input';
  layers.forEach(([type, params], i) => {
    const id = `l${i + 1}`;
    design.nodes.push({ id, type, params });
    design.edges.push({ source: previous, target: id });
    previous = id;
  });
  return design;
}
