import type { DiagnosticInput, SuggestedFix } from '../analysis/diagnostic';
import type { AxisFormula } from './layerType';
import type { ResolvedPadding } from './resolveParams';

export interface SlidingWindowArgs {
  nodeId: string;
  layerLabel: string;
  /** Spatial input sizes: [H, W] or [L]. */
  input: number[];
  kernel: number[];
  strides: number[];
  dilation: number[];
  padding: ResolvedPadding;
  /** Name of the window parameter, for messages and fixes ('kernelSize' or 'poolSize'). */
  kernelParam: string;
  /** The raw strides value, to know whether the user set strides at all (pooling defaults to the window). */
  stridesParam: string;
  report: (d: DiagnosticInput) => void;
}

export interface SlidingWindowResult {
  /** Output spatial sizes; undefined when the window does not fit at all. */
  output?: number[];
  formulas: AxisFormula[];
  /** Zeros (or -inf for max pooling) before and after, per axis. */
  pads: [number, number][];
}

const AXES_2D = ['height', 'width'] as const;
const round2 = (x: number): number => Math.round(x * 100) / 100;
const fmt = (x: number): string => String(round2(x));

/** Per-axis padding [before, after]: Keras' "same" pads the extra zero after, like TensorFlow. */
export function resolvePads(input: number[], effectiveKernel: number[], strides: number[], padding: ResolvedPadding): [number, number][] {
  // Sized up front: a push onto [] reserves room for 16 (this runs per layer on every keystroke).
  const pads: [number, number][] = new Array(input.length);
  for (let axis = 0; axis < input.length; axis++) {
    if (padding === 'valid') pads[axis] = [0, 0];
    else if (padding === 'same') {
      const out = Math.ceil(input[axis] / strides[axis]);
      const total = Math.max((out - 1) * strides[axis] + effectiveKernel[axis] - input[axis], 0);
      pads[axis] = [Math.floor(total / 2), total - Math.floor(total / 2)];
    } else pads[axis] = [padding[axis], padding[axis]];
  }
  return pads;
}

/**
 * The texts of recently built formulas, by a hash of what determines them (size, padding, window,
 * stride, 'same'; the output follows from those): a design repeats a few windows over a few sizes,
 * and each text is a string of nine parts, the largest allocation of a deep design's analysis.
 */
const FORMULA_SLOTS = 64;
const formulaKeys = new Float64Array(FORMULA_SLOTS * 6).fill(NaN);
const formulaTexts: string[] = new Array<string>(FORMULA_SLOTS).fill('');

/** One axis' output-size formula in the course's notation, e.g. "⌊(32 + 2·2 − 5) / 1⌋ + 1 = 32". */
function formulaText(size: number, before: number, after: number, window: number, stride: number, out: number, noneFits: boolean, same: boolean): string {
  const sameFlag = same ? 1 : 0;
  const slot = ((size * 7 + before * 3 + after * 5 + window * 11 + stride * 13 + sameFlag) >>> 0) % FORMULA_SLOTS;
  const k = slot * 6;
  if (formulaKeys[k] === size && formulaKeys[k + 1] === before && formulaKeys[k + 2] === after && formulaKeys[k + 3] === window && formulaKeys[k + 4] === stride && formulaKeys[k + 5] === sameFlag) {
    return formulaTexts[slot];
  }
  const padText = before === after ? ` + 2·${before}` : ` + ${before} + ${after}`;
  const text = same ? `⌈${size} / ${stride}⌉ = ${out} (same)` : `⌊(${size}${padText} − ${window}) / ${stride}⌋ + 1 = ${noneFits ? `${out}, so no window fits` : out}`;
  formulaKeys.set([size, before, after, window, stride, sameFlag], k);
  formulaTexts[slot] = text;
  return text;
}

const shapeText = (sizes: number[]): string => sizes.join('×');

/** The formula of each axis, once when they read the same ("height and width: …"), named when they differ. */
function perAxis(formulas: AxisFormula[], text: (f: AxisFormula) => string): string {
  const texts = formulas.map(text);
  if (texts.length === 1) return formulas[0].axis === 'length' ? texts[0] : `${formulas[0].axis}: ${texts[0]}`;
  if (texts.every((t) => t === texts[0])) return `${formulas.map((f) => f.axis).join(' and ')}: ${texts[0]}`;
  return formulas.map((f, i) => `${f.axis}: ${texts[i]}`).join('; ');
}

/**
 * The course's output-size rule, ⌊(W − F + 2P) / S⌋ + 1, for every spatial axis of a convolution
 * or pooling window, with the problems a student makes: a window larger than its padded input, and
 * a stride that does not tile the input (pixels silently dropped), each with fixes that fit.
 */
export function slidingWindow(args: SlidingWindowArgs): SlidingWindowResult {
  const { input, kernel, strides, dilation, padding, report } = args;
  const axes: readonly AxisFormula['axis'][] = input.length === 1 ? ['length'] : AXES_2D;
  const effective = kernel.map((k, i) => dilation[i] * (k - 1) + 1);
  const pads = resolvePads(input, effective, strides, padding);
  const formulas: AxisFormula[] = new Array(input.length);
  const output: number[] = new Array(input.length);
  let fits = true;

  for (let i = 0; i < input.length; i++) {
    const size = input[i];
    const before = pads[i][0];
    const after = pads[i][1];
    const span = size + before + after - effective[i];
    const exact = padding === 'same' ? size / strides[i] : span / strides[i] + 1;
    const out = padding === 'same' ? Math.ceil(size / strides[i]) : Math.floor(span / strides[i]) + 1;
    // Square windows on square inputs read the same on both axes: the text is built once.
    const previous = formulas[i - 1];
    const text =
      previous && previous.input === size && previous.kernel === kernel[i] && previous.dilation === dilation[i] && previous.stride === strides[i] && previous.padBefore === before && previous.padAfter === after
        ? previous.text
        : formulaText(size, before, after, dilation[i] > 1 ? effective[i] : kernel[i], strides[i], out, span < 0, padding === 'same');
    formulas[i] = { axis: axes[i], input: size, kernel: kernel[i], stride: strides[i], dilation: dilation[i], padBefore: before, padAfter: after, exact, output: out, text };
    if (span < 0) fits = false;
    output[i] = out;
  }

  const dims = input.length;

  if (!fits) {
    const minPad = input.map((size, i) => Math.max(0, Math.ceil((effective[i] - size) / 2)));
    const fixes: SuggestedFix[] = [{ title: 'Use padding "same" (output keeps the input size when the stride is 1)', edit: { kind: 'setParams', nodeId: args.nodeId, params: { padding: 'same' } } }];
    const smaller = input.map((size, i) => Math.max(1, Math.min(kernel[i], Math.floor((size + (padding === 'valid' || padding === 'same' ? 0 : 2 * pads[i][0]) - 1) / dilation[i]) + 1)));
    if (smaller.every((k) => k >= 1)) {
      fixes.push({
        title: `Use a ${shapeText(smaller)} window`,
        edit: { kind: 'setParams', nodeId: args.nodeId, params: { [args.kernelParam]: dims === 1 ? smaller[0] : smaller[0] === smaller[1] ? smaller[0] : smaller } },
      });
    }
    if (padding !== 'same') {
      fixes.push({
        title: `Pad the input with ${minPad.join('/')} zero(s) on each side`,
        edit: { kind: 'setParams', nodeId: args.nodeId, params: { padding: dims === 1 || minPad[0] === minPad[1] ? minPad[0] : minPad } },
      });
    }
    report({
      severity: 'error',
      code: 'window-larger-than-input',
      param: args.kernelParam,
      message: `The ${shapeText(effective)} window of this ${args.layerLabel} is larger than its ${padding === 'valid' || padding === 'same' ? '' : 'padded '}${shapeText(input.map((s, i) => s + pads[i][0] + pads[i][1]))} input, so there is no output. ${perAxis(formulas, (f) => f.text)}.`,
      fixes,
    });
    return { formulas, pads };
  }

  if (padding !== 'same') {
    // Only real pixels count as lost: a dropped row of padding is harmless (ResNet's stride-2
    // convolutions drop one), and a window smaller than its stride skips pixels by design.
    const leftover = new Array<number>(dims);
    let dropsPixels = false;
    for (let i = 0; i < dims; i++) {
      const r = effective[i] < strides[i] ? 0 : Math.max(0, ((input[i] + pads[i][0] + pads[i][1] - effective[i]) % strides[i]) - pads[i][1]);
      leftover[i] = r;
      if (r > 0) dropsPixels = true;
    }
    if (dropsPixels) {
      const lost = leftover
        .map((r, i) => (r > 0 ? `the last ${r} ${axes[i] === 'height' ? (r === 1 ? 'row' : 'rows') : axes[i] === 'width' ? (r === 1 ? 'column' : 'columns') : r === 1 ? 'position' : 'positions'}` : ''))
        .filter(Boolean)
        .join(' and ');
      const fixes: SuggestedFix[] = [];
      // Smallest symmetric padding that makes every axis tile exactly.
      const basePad = pads.map(([b]) => b);
      const fitPad = input.map((size, i) => {
        for (let p = basePad[i]; p <= basePad[i] + strides[i] + effective[i]; p++) if ((size + 2 * p - effective[i]) % strides[i] === 0) return p;
        return undefined;
      });
      if (fitPad.every((p): p is number => p !== undefined) && fitPad.some((p, i) => p !== basePad[i])) {
        const out = input.map((size, i) => (size + 2 * fitPad[i] - effective[i]) / strides[i] + 1);
        fixes.push({
          title: `Use padding ${dims === 1 || fitPad[0] === fitPad[1] ? fitPad[0] : `[${fitPad.join(', ')}]`} (output ${shapeText(out)}, nothing dropped)`,
          edit: { kind: 'setParams', nodeId: args.nodeId, params: { padding: dims === 1 || fitPad[0] === fitPad[1] ? fitPad[0] : fitPad } },
        });
      }
      // Largest smaller stride that tiles every axis exactly.
      const fitStride = input.map((size, i) => {
        const span = size + pads[i][0] + pads[i][1] - effective[i];
        for (let s = strides[i]; s >= 1; s--) if (span % s === 0) return s;
        return 1;
      });
      if (fitStride.some((s, i) => s !== strides[i])) {
        const out = input.map((size, i) => (size + pads[i][0] + pads[i][1] - effective[i]) / fitStride[i] + 1);
        fixes.push({
          title: `Use stride ${dims === 1 || fitStride[0] === fitStride[1] ? fitStride[0] : `[${fitStride.join(', ')}]`} (output ${shapeText(out)}, nothing dropped)`,
          edit: { kind: 'setParams', nodeId: args.nodeId, params: { strides: dims === 1 || fitStride[0] === fitStride[1] ? fitStride[0] : fitStride } },
        });
      }
      fixes.push({
        title: `Use padding "same" (output ${shapeText(input.map((size, i) => Math.ceil(size / strides[i])))})`,
        edit: { kind: 'setParams', nodeId: args.nodeId, params: { padding: 'same' } },
      });
      const bad = formulas.filter((_, i) => leftover[i] > 0);
      report({
        severity: 'warning',
        code: 'stride-does-not-fit',
        param: args.stridesParam,
        message: `Stride ${shapeText(strides)} does not tile the ${shapeText(input)} input with a ${shapeText(effective)} window: ${perAxis(
          bad,
          (f) => `(${f.input} − ${f.dilation > 1 ? f.dilation * (f.kernel - 1) + 1 : f.kernel} + ${f.padBefore + f.padAfter}) / ${f.stride} + 1 = ${fmt(f.exact)}`,
        )}, not a whole number. The output is floored to ${shapeText(output)} and ${lost} of the input ${lost.includes(' and ') ? 'are' : 'is'} never seen.`,
        fixes,
      });
    }
  }
  return { output, formulas, pads };
}
