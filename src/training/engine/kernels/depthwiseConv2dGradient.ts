/**
 * The gradient of TF.js' `DepthwiseConv2dNative` op, registered in place of TF.js' own, which
 * refuses dilation rates above 1 ("not yet supported in gradients"), so dilated depthwise
 * convolutions could not train. It calls the backend's gradient kernels, as TF.js does, passing the
 * dilations on; where a dilated convolution meets kernels that ignore them (TF.js' cpu kernels
 * drop the dilation), it composes ops instead, which run on every backend: dx = the dilated
 * depthwise convolution of the padded dy with the flipped filter (then the M partial sums of each
 * channel added), dW = for each tap, the products of dy with x shifted by that tap, summed over
 * batch and positions (dilations come with stride 1, as TF.js' forward op requires).
 */
import * as tf from '@tensorflow/tfjs';
import { getKernel, registerGradient, type GradConfig, type NamedAttrMap } from '@tensorflow/tfjs';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwiseGradientKernels';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface DepthwiseAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const geometry = (x: tf.Tensor4D, filter: tf.Tensor4D, a: DepthwiseAttrs) =>
  tf.backend_util.computeConv2DInfo(x.shape, filter.shape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true, 'channelsLast');

function dilatedInputGradient(x: tf.Tensor4D, filter: tf.Tensor4D, dy: tf.Tensor4D, a: DepthwiseAttrs): tf.Tensor4D {
  const info = geometry(x, filter, a);
  const [batch, height, width, channels] = x.shape;
  const [kh, kw, , multiplier] = filter.shape;
  const before = [info.effectiveFilterHeight - 1 - info.padInfo.top, info.effectiveFilterWidth - 1 - info.padInfo.left];
  const after = [height + info.effectiveFilterHeight - 1 - dy.shape[1] - before[0], width + info.effectiveFilterWidth - 1 - dy.shape[2] - before[1]];
  let source = dy;
  if (before.some((p) => p < 0) || after.some((p) => p < 0)) {
    const begin: [number, number, number, number] = [0, Math.max(0, -before[0]), Math.max(0, -before[1]), 0];
    source = tf.slice(dy, begin, [-1, dy.shape[1] - begin[1] - Math.max(0, -after[0]), dy.shape[2] - begin[2] - Math.max(0, -after[1]), -1]);
  }
  // One filter per channel of dy (multiplier 1), flipped.
  const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, channels * multiplier, 1]) as tf.Tensor4D;
  const pads: tf.backend_util.ExplicitPadding = [[0, 0], [Math.max(0, before[0]), Math.max(0, after[0])], [Math.max(0, before[1]), Math.max(0, after[1])], [0, 0]];
  const partial = tf.depthwiseConv2d(source, flipped, 1, pads, 'NHWC', [info.dilationHeight, info.dilationWidth]);
  return multiplier === 1 ? partial : (tf.sum(tf.reshape(partial, [batch, height, width, channels, multiplier]), 4) as tf.Tensor4D);
}

function dilatedFilterGradient(x: tf.Tensor4D, filter: tf.Tensor4D, dy: tf.Tensor4D, a: DepthwiseAttrs): tf.Tensor4D {
  const info = geometry(x, filter, a);
  if (info.strideHeight !== 1 || info.strideWidth !== 1) throw new Error('A dilated depthwise convolution must have stride 1 to be differentiated.');
  const { top, bottom, left, right } = info.padInfo;
  const [batch, , , channels] = x.shape;
  const [kh, kw, , multiplier] = filter.shape;
  const [, outH, outW] = dy.shape;
  const padded = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
  const dy5 = tf.reshape(dy, [batch, outH, outW, channels, multiplier]);
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const shifted = tf.slice(padded, [0, i * info.dilationHeight, j * info.dilationWidth, 0], [batch, outH, outW, channels]);
      taps.push(tf.sum(tf.mul(tf.reshape(shifted, [batch, outH, outW, channels, 1]), dy5), [0, 1, 2]));
    }
  }
  return tf.reshape(tf.stack(taps), [kh, kw, channels, multiplier]);
}

/** Whether the current backend's depthwise gradient kernels are the project's, which handle dilations. */
function kernelsHandleDilations(): boolean {
  const backendName = tf.getBackend();
  return getKernel('DepthwiseConv2dNativeBackpropInput', backendName)?.kernelFunc === (depthwiseBackpropInputKernel as unknown)
    && getKernel('DepthwiseConv2dNativeBackpropFilter', backendName)?.kernelFunc === (depthwiseBackpropFilterKernel as unknown);
}

export const depthwiseConv2dGradient: GradConfig = {
  kernelName: 'DepthwiseConv2dNative',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const grad = dy as tf.Tensor4D;
    const a = attrs as unknown as DepthwiseAttrs;
    const dilations = a.dilations ?? 1;
    const dilated = (Array.isArray(dilations) ? dilations : [dilations, dilations]).some((d) => d > 1);
    if (dilated && !kernelsHandleDilations()) {
      return { x: () => dilatedInputGradient(x, filter, grad, a), filter: () => dilatedFilterGradient(x, filter, grad, a) };
    }
    const shared = { strides: a.strides, pad: a.pad, dilations, dimRoundingMode: a.dimRoundingMode };
    return {
      x: () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: grad, filter }, { ...shared, inputShape: x.shape } as unknown as NamedAttrMap) as tf.Tensor,
      filter: () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: grad }, { ...shared, filterShape: filter.shape } as unknown as NamedAttrMap) as tf.Tensor,
    };
  },
};

let registered = false;

/** Replaces TF.js' DepthwiseConv2dNative gradient by the one above (idempotent). */
export function registerDepthwiseConv2dGradient(): void {
  if (registered) return;
  registerGradient(depthwiseConv2dGradient);
  registered = true;
}
