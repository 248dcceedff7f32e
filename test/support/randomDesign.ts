/**
 * Seeded generators of designs for property tests: `randomValidDesign` builds graphs that the
 * analysis accepts without errors (chains and branches, every layer type, odd kernels, strides,
 * paddings and dilations), by growing the graph from the shapes the analysis itself reports.
 */
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { emptyDesign, type Design, type DesignNode, type Shape } from '../../src/core/design';
import { ACTIVATIONS } from '../../src/core/layers/layerType';

/** Mulberry32: small, fast, good enough to drive generators reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomDesignOptions {
  /** Upper bound on layers after the input. */
  maxLayers?: number;
  /** Allow Add/Concat branches. */
  branches?: boolean;
  /** Layer types to leave out (e.g. ones a target cannot express). */
  exclude?: string[];
  /** Keep tensors small so a forward pass is cheap. */
  maxSpatial?: number;
  /** Also put Dense on images and sequences (Keras applies it per position; a warning, not an error). */
  denseOnSpatial?: boolean;
}

const ACTS = ACTIVATIONS;

export function randomValidDesign(seed: number, options: RandomDesignOptions = {}): Design {
  const rnd = seededRandom(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const maxLayers = options.maxLayers ?? 8;
  const exclude = new Set(options.exclude ?? []);
  const design = emptyDesign(`random-${seed}`);
  const image = rnd() < 0.75;
  const size = int(5, options.maxSpatial ?? 16);
  const inputShape: Shape = image ? [size, int(5, options.maxSpatial ?? 16), int(1, 4)] : rnd() < 0.5 ? [int(6, 24), int(1, 4)] : [int(2, 20)];
  design.nodes.push({ id: 'input', type: 'Input', params: { shape: inputShape } });
  let counter = 0;
  const shapes = (): Record<string, Shape | undefined> => {
    const a = analyzeDesign(design);
    return Object.fromEntries(design.nodes.map((n) => [n.id, a.nodes[n.id]?.outputShape]));
  };
  const windowParam = (dims: number, lo: number, hi: number): number | number[] => (dims === 2 && rnd() < 0.3 ? [int(lo, hi), int(lo, hi)] : int(lo, hi));

  const candidates = (shape: Shape): (() => DesignNode)[] => {
    const id = (): string => `n${++counter}`;
    const out: (() => DesignNode)[] = [];
    const rank = shape.length;
    // Weights keep spatial layers common, so most designs convolve for a while before flattening.
    const push = (type: string, make: () => DesignNode, weight = 1): void => {
      if (!exclude.has(type)) for (let i = 0; i < weight; i++) out.push(make);
    };
    if (rank === 3 || rank === 2) {
      const dims = rank - 1;
      const conv = dims === 2 ? 'Conv2D' : 'Conv1D';
      push(conv, () => {
        const dilated = rnd() < 0.2;
        const padding = pick<unknown>(['valid', 'same', int(0, 2), ...(dims === 2 ? [[int(0, 2), int(0, 2)]] : [])]);
        // Grouped and depthwise (groups = channels) convolutions: filters a multiple of the groups.
        const channels = shape[rank - 1];
        const splits = Array.from({ length: channels - 1 }, (_, i) => i + 2).filter((g) => channels % g === 0);
        const groups = splits.length && rnd() < 0.3 ? pick(splits) : 1;
        return {
          id: id(),
          type: conv,
          params: {
            filters: groups > 1 ? groups * int(1, 2) : int(1, 6),
            ...(groups > 1 ? { groups } : {}),
            kernelSize: windowParam(dims, 1, 4),
            ...(dilated ? { dilationRate: int(2, 3) } : rnd() < 0.5 ? { strides: windowParam(dims, 1, 3) } : {}),
            padding,
            activation: pick(ACTS),
            useBias: rnd() < 0.8,
          },
        };
      }, 6);
      for (const kind of ['Max', 'Avg']) {
        const type = `${kind}Pool${dims}D`;
        push(type, () => {
          const pool = int(1, 3);
          const params: Record<string, unknown> = { poolSize: pool };
          if (rnd() < 0.4) params.strides = int(1, 3);
          const r = rnd();
          if (r < 0.25) params.padding = 'same';
          else if (r < 0.45) params.padding = int(0, Math.floor(pool / 2));
          // PyTorch's pooling modes: a last, partial window; average pooling that leaves its padding out.
          if (params.padding !== 'same' && rnd() < 0.25) params.ceilMode = true;
          if (kind === 'Avg' && params.padding !== 'same' && rnd() < 0.25) params.countIncludePad = false;
          return { id: id(), type, params };
        }, 2);
      }
      // Upsampling, kept to small maps so the sweep stays cheap: output (in − 1)·s − 2p + d·(k − 1) + op + 1.
      const transposed = `Conv${dims}DTranspose`;
      if (shape.slice(0, dims).every((size) => size <= 8)) {
        push(transposed, () => {
          const strides = int(1, 3);
          const dilation = rnd() < 0.2 ? 2 : 1;
          const padding = pick<unknown>(['valid', 'same', int(0, 2), ...(dims === 2 ? [[int(0, 1), int(0, 2)]] : [])]);
          const params: Record<string, unknown> = { filters: 2 * int(1, 3), kernelSize: windowParam(dims, 1, 4), strides, padding, activation: pick(ACTS), useBias: rnd() < 0.8 };
          if (dilation > 1) params.dilationRate = dilation;
          if (padding !== 'same' && rnd() < 0.4) params.outputPadding = int(0, Math.max(strides, dilation) - 1);
          if (shape[dims] % 2 === 0 && rnd() < 0.3) params.groups = 2;
          return { id: id(), type: transposed, params };
        }, 2);
      }
      if (rank === 3) {
        push('GlobalAvgPool2D', () => ({ id: id(), type: 'GlobalAvgPool2D', params: rnd() < 0.3 ? { keepDims: true } : {} }));
        push('GlobalMaxPool2D', () => ({ id: id(), type: 'GlobalMaxPool2D', params: rnd() < 0.3 ? { keepDims: true } : {} }));
      }
      if (rank === 3) {
        const sides = (lo: number, hi: number): number | number[] => (rnd() < 0.5 ? int(lo, hi) : rnd() < 0.5 ? [int(lo, hi), int(lo, hi)] : [int(lo, hi), int(lo, hi), int(lo, hi), int(lo, hi)]);
        push('Padding2D', () => {
          const mode = pick(['constant', 'constant', 'reflect', 'replicate', 'circular']);
          return { id: id(), type: 'Padding2D', params: { padding: sides(0, 2), ...(mode === 'constant' ? (rnd() < 0.3 ? { value: Math.round(rnd() * 200 - 100) / 100 } : {}) : { mode }) } };
        });
        push('Cropping2D', () => ({ id: id(), type: 'Cropping2D', params: { cropping: sides(0, 2) } }));
      } else {
        push('GlobalAvgPool1D', () => ({ id: id(), type: 'GlobalAvgPool1D', params: {} }));
        push('GlobalMaxPool1D', () => ({ id: id(), type: 'GlobalMaxPool1D', params: {} }));
      }
      push('Flatten', () => ({ id: id(), type: 'Flatten', params: {} }));
    }
    if (rank === 3) {
      // Resampling by a scale or to a size (nearest, bilinear with or without aligned corners), and adaptive pooling.
      push('Upsample2D', () => {
        const params: Record<string, unknown> = rnd() < 0.5 ? { scale: pick([2, 3, 1.5, 0.5]) } : { size: windowParam(2, 1, options.maxSpatial ?? 16) };
        if (rnd() < 0.5) Object.assign(params, { mode: 'bilinear' }, rnd() < 0.4 ? { alignCorners: true } : {});
        return { id: id(), type: 'Upsample2D', params };
      });
      for (const type of ['AdaptiveAvgPool2D', 'AdaptiveMaxPool2D']) push(type, () => ({ id: id(), type, params: { outputSize: windowParam(2, 1, 7) } }));
    }
    if (rank === 1 || options.denseOnSpatial) push('Dense', () => ({ id: id(), type: 'Dense', params: { units: int(1, 12), activation: pick(ACTS), useBias: rnd() < 0.8 } }));
    push('Dropout', () => ({ id: id(), type: 'Dropout', params: { rate: Math.round(rnd() * 80) / 100 } }));
    push('BatchNorm', () => ({ id: id(), type: 'BatchNorm', params: rnd() < 0.5 ? {} : { momentum: 0.9, epsilon: 0.00001 } }));
    // Channel-wise layers of every rank: normalizations, layer scale, PReLU, stochastic depth, shuffles and slices of the channels.
    // Offered at some steps only, so that designs still convolve, pool and flatten into Dense as often as before.
    const channelWise = rnd() < 0.35;
    const channels = shape[rank - 1];
    const divisorOfChannels = (): number => pick(Array.from({ length: channels }, (_, i) => i + 1).filter((d) => channels % d === 0));
    if (channelWise) {
      push('LayerNorm', () => ({ id: id(), type: 'LayerNorm', params: { epsilon: pick([0.00001, 0.000001]), ...(rnd() < 0.2 ? { elementwiseAffine: false } : {}) } }));
      push('GroupNorm', () => ({ id: id(), type: 'GroupNorm', params: { groups: divisorOfChannels(), ...(rnd() < 0.2 ? { affine: false } : {}) } }));
      if (rank >= 2) push('InstanceNorm', () => ({ id: id(), type: 'InstanceNorm', params: { ...(rnd() < 0.5 ? { affine: true } : {}), ...(rnd() < 0.4 ? { trackRunningStats: true } : {}) } }));
      push('LayerScale', () => ({ id: id(), type: 'LayerScale', params: { initValue: pick([0.000001, 0.1, 1]) } }));
      // One α for a whole vector or sequence does not survive a Keras round trip (its shared_axes do not say the rank): images only.
      push('PReLU', () => ({ id: id(), type: 'PReLU', params: rank === 3 && rnd() < 0.3 ? { sharedAxes: 'all' } : {} }));
      push('DropPath', () => ({ id: id(), type: 'DropPath', params: { rate: Math.round(rnd() * 50) / 100 } }));
      if (rank === 3) push('SpatialDropout2D', () => ({ id: id(), type: 'SpatialDropout2D', params: { rate: Math.round(rnd() * 80) / 100 } }));
      if (rank === 2) push('SpatialDropout1D', () => ({ id: id(), type: 'SpatialDropout1D', params: { rate: Math.round(rnd() * 80) / 100 } }));
      push('ChannelShuffle', () => ({ id: id(), type: 'ChannelShuffle', params: { groups: divisorOfChannels() } }));
      push('ChannelSlice', () => {
        const start = int(0, channels - 1);
        return { id: id(), type: 'ChannelSlice', params: { start, end: int(start + 1, channels) } };
      });
    }
    push('Activation', () => {
      const fn = pick(ACTS);
      // Half of the leaky ReLUs and ELUs get their own α.
      const alpha = (fn === 'leakyRelu' || fn === 'elu') && rnd() < 0.5 ? Math.round(rnd() * 200) / 100 : undefined;
      return { id: id(), type: 'Activation', params: alpha === undefined ? { fn } : { fn, alpha } };
    });
    return out;
  };

  let tip = 'input';
  let attempts = 0;
  while (design.nodes.length - 1 < maxLayers && attempts++ < maxLayers * 10) {
    const current = shapes();
    const shape = current[tip]!;
    // A squeeze-and-excitation block (MobileNetV3, EfficientNet): pooled channels, reduced and expanded
    // by 1×1 convolutions, gate the block's input through Multiply ([1, 1, C] or, without keepDims, [C]).
    if (options.branches !== false && shape.length === 3 && rnd() < 0.15 && !['Multiply', 'GlobalAvgPool2D', 'Conv2D', 'Activation'].some((t) => exclude.has(t))) {
      const channels = shape[2];
      const keepDims = rnd() < 0.7 || exclude.has('Dense');
      const [pool, reduce, act, expand, gate, multiply] = [0, 1, 2, 3, 4, 5].map(() => `n${++counter}`);
      const se: DesignNode[] = keepDims
        ? [
            { id: pool, type: 'GlobalAvgPool2D', params: { keepDims: true } },
            { id: reduce, type: 'Conv2D', params: { filters: int(1, Math.max(1, Math.ceil(channels / 2))), kernelSize: 1 } },
            { id: act, type: 'Activation', params: { fn: 'relu' } },
            { id: expand, type: 'Conv2D', params: { filters: channels, kernelSize: 1 } },
          ]
        : [
            { id: pool, type: 'GlobalAvgPool2D', params: {} },
            { id: reduce, type: 'Dense', params: { units: int(1, Math.max(1, Math.ceil(channels / 2))) } },
            { id: act, type: 'Activation', params: { fn: 'relu' } },
            { id: expand, type: 'Dense', params: { units: channels } },
          ];
      se.push({ id: gate, type: 'Activation', params: { fn: 'sigmoid' } }, { id: multiply, type: 'Multiply', params: {} });
      const chain = [tip, pool, reduce, act, expand, gate, multiply];
      design.nodes.push(...se);
      design.edges.push(...chain.slice(1).map((target, i) => ({ source: chain[i], target })), { source: tip, target: multiply });
      if (analyzeDesign(design).valid) {
        tip = multiply;
        continue;
      }
      design.nodes.splice(-se.length, se.length);
      design.edges.splice(-chain.length, chain.length);
    }
    // A segmentation head's skip (FCN): a strided convolution resampled back to the tip's height and
    // width (Upsample2D's 2nd input gives them), added to the tip.
    if (options.branches !== false && shape.length === 3 && rnd() < 0.1 && !['Upsample2D', 'Conv2D', 'Add'].some((t) => exclude.has(t))) {
      const [down, up, add] = [0, 1, 2].map(() => `n${++counter}`);
      const upParams = rnd() < 0.6 ? { mode: 'bilinear', ...(rnd() < 0.3 ? { alignCorners: true } : {}) } : {};
      design.nodes.push(
        { id: down, type: 'Conv2D', params: { filters: shape[2], kernelSize: 3, strides: 2, padding: 'same' } },
        { id: up, type: 'Upsample2D', params: upParams },
        { id: add, type: 'Add', params: {} },
      );
      design.edges.push({ source: tip, target: down }, { source: down, target: up }, { source: tip, target: up }, { source: up, target: add }, { source: tip, target: add });
      if (analyzeDesign(design).valid) {
        tip = add;
        continue;
      }
      design.nodes.splice(-3, 3);
      design.edges.splice(-5, 5);
    }
    // A branch: two short paths from the tip, merged with Add (same shape) or Concat.
    if (options.branches !== false && rnd() < 0.25 && !exclude.has('Add') && !exclude.has('Concat')) {
      const merge = rnd() < 0.5 && !exclude.has('Add') ? 'Add' : 'Concat';
      const sameShapeOps = candidates(shape).map((m) => m()).filter((n) => ['Activation', 'BatchNorm', 'Dropout'].includes(n.type) || (n.type.startsWith('Conv') && n.params.padding === 'same' && !n.params.strides));
      if (sameShapeOps.length) {
        const branch = pick(sameShapeOps);
        if (merge === 'Add' && branch.type.startsWith('Conv')) branch.params.filters = shape[shape.length - 1];
        const mergeNode: DesignNode = { id: `n${++counter}`, type: merge, params: {} };
        design.nodes.push(branch, mergeNode);
        design.edges.push({ source: tip, target: branch.id }, { source: branch.id, target: mergeNode.id }, { source: tip, target: mergeNode.id });
        if (analyzeDesign(design).valid) {
          tip = mergeNode.id;
          continue;
        }
        design.nodes.splice(-2, 2);
        design.edges.splice(-3, 3);
      }
    }
    const makers = candidates(shape);
    if (makers.length === 0) break;
    const node = pick(makers)();
    design.nodes.push(node);
    design.edges.push({ source: tip, target: node.id });
    if (analyzeDesign(design).valid) tip = node.id;
    else {
      design.nodes.pop();
      design.edges.pop();
    }
  }
  return design;
}
