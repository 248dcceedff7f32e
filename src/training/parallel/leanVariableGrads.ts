/**
 * `tf.variableGrads` that frees as it goes. TF.js' own backward pass keeps every output gradient
 * and every tensor saved for the backward pass until the whole pass is over, so its peak holds all
 * activations and all their gradients at once: on ResNet-18 and MobileNetV2 at 32×32 that was
 * about half of each copy's wasm heap, which only grows, so it stayed resident. This walks the same
 * tape in the same order with the same gradient functions and additions (so the values are the
 * same bit for bit), but disposes a node's output gradients and saved tensors as soon as the node
 * is done, as PyTorch's autograd does.
 */
import * as tf from '@tensorflow/tfjs';

/** The engine's tape entry (TF.js internals, stable since 2.x). */
interface TapeNode {
  id: number;
  kernelName: string;
  outputs: tf.Tensor[];
  inputs: Record<string, tf.Tensor>;
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T>(name: string, f: () => T): T;
}

/** The value of `f` and its gradient with respect to each of `variables` (undefined where `f` does not reach one). */
export function leanVariableGrads(f: () => tf.Scalar, variables: tf.Variable[]): { value: tf.Scalar; grads: (tf.Tensor | undefined)[] } {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.state.gradientDepth !== 0 || typeof engine.scopedRun !== 'function') {
    // Nested gradients (or an engine unlike the one this was written against): TF.js' own pass.
    const { value, grads } = tf.variableGrads(f, variables);
    return { value, grads: variables.map((v) => grads[v.name]) };
  }
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f),
  );
  const tape = engine.state.activeTape ?? [];
  const nodes = connectingNodes(tape, variables, y);
  return engine.tidy('backward', () => {
    const accumulated = new Map<number, tf.Tensor>([[y.id, tf.ones(y.shape)]]);
    const wanted = new Set(variables.map((v) => v.id));
    // A gradient function may hand back a tensor it was given: free only what nothing still holds.
    const release = (t: tf.Tensor) => {
      for (const held of accumulated.values()) if (held === t) return;
      t.dispose();
    };
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      const inputGradients = node.gradient(node.outputs.map((o) => accumulated.get(o.id) ?? null));
      for (const name in node.inputs) {
        if (!(name in inputGradients)) throw new Error(`Cannot backprop through input ${name} of ${node.kernelName}.`);
        const dx = engine.tidy(node.kernelName, () => inputGradients[name]());
        const x = node.inputs[name];
        const current = accumulated.get(x.id);
        if (!current) accumulated.set(x.id, dx);
        else {
          accumulated.set(x.id, tf.add(current, dx));
          current.dispose();
          release(dx);
        }
      }
      for (const o of node.outputs) {
        const dy = accumulated.get(o.id);
        if (!dy || wanted.has(o.id)) continue;
        accumulated.delete(o.id);
        release(dy);
      }
      for (const saved of node.saved ?? []) saved.dispose();
    }
    const grads = variables.map((v) => accumulated.get(v.id));
    for (const node of tape) for (const saved of node.saved ?? []) saved.dispose();
    engine.state.activeTape = null;
    return { value: y as tf.Scalar, grads };
  });
}

/** The tape's nodes on a path from one of `xs` to `y`, each with only the inputs that depend on `xs` (as TF.js filters its tape). */
function connectingNodes(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      node.outputs.forEach((o) => fromX.add(o.id));
      nodesFromX.add(node.id);
    }
  }
  const leadToY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => leadToY.has(o.id))) {
      for (const name in node.inputs) leadToY.add(node.inputs[name].id);
      if (Object.keys(node.inputs).length > 0) nodesToY.add(node.id);
    }
  }
  return tape
    .filter((node) => nodesFromX.has(node.id) && nodesToY.has(node.id))
    .map((node) => ({ ...node, inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, input]) => fromX.has(input.id))) }));
}
