/**
 * The gradient of TF.js' `Conv2D` op, registered in place of TF.js' own, which refuses dilation
 * rates above 1 ("not yet supported in gradients"), so dilated (atrous) convolutions could not
 * train. Without dilation it does what TF.js does (the backend's gradient kernels); with dilation
 * (stride 1, as the analysis requires) it composes ops, so it runs on every backend:
 * dx = the dilated convolution of the padded dy with the flipped, channel-swapped filter, and
 * dW = the convolution of x transposed [ci, H, W, b] with dy transposed [oh, ow, b, co] as filter,
 * with the dilation as stride.
 */
import * as tf from '@tensorflow/tfjs';
import { registerGradient, type GradConfig, type NamedAttrMap } from '@tensorflow/tfjs';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface Conv2DAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function dilatedInputGradient(x: tf.Tensor4D, filter: tf.Tensor4D, dy: tf.Tensor4D, a: Conv2DAttrs): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const [, height, width] = x.shape;
  const before = [info.effectiveFilterHeight - 1 - info.padInfo.top, info.effectiveFilterWidth - 1 - info.padInfo.left];
  const after = [height + info.effectiveFilterHeight - 1 - dy.shape[1] - before[0], width + info.effectiveFilterWidth - 1 - dy.shape[2] - before[1]];
  let source = dy;
  if (before.some((p) => p < 0) || after.some((p) => p < 0)) {
    const begin: [number, number, number, number] = [0, Math.max(0, -before[0]), Math.max(0, -before[1]), 0];
    source = tf.slice(dy, begin, [-1, dy.shape[1] - begin[1] - Math.max(0, -after[0]), dy.shape[2] - begin[2] - Math.max(0, -after[1]), -1]);
  }
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  const pads: tf.backend_util.ExplicitPadding = [[0, 0], [Math.max(0, before[0]), Math.max(0, after[0])], [Math.max(0, before[1]), Math.max(0, after[1])], [0, 0]];
  return tf.conv2d(source, flipped, 1, pads, 'NHWC', [info.dilationHeight, info.dilationWidth]);
}

function dilatedFilterGradient(x: tf.Tensor4D, filter: tf.Tensor4D, dy: tf.Tensor4D, a: Conv2DAttrs): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const { top, bottom, left, right } = info.padInfo;
  const [kh, kw, ci, co] = filter.shape;
  const swapped = tf.conv2d(
    tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D,
    tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D,
    [info.dilationHeight, info.dilationWidth],
    [[0, 0], [top, bottom], [left, right], [0, 0]],
    'NHWC',
    [info.strideHeight, info.strideWidth],
  );
  return tf.transpose(tf.slice(swapped, [0, 0, 0, 0], [ci, kh, kw, co]), [1, 2, 0, 3]) as tf.Tensor4D;
}

export const conv2dGradient: GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const grad = dy as tf.Tensor4D;
    const a = attrs as unknown as Conv2DAttrs;
    const dilated = (Array.isArray(a.dilations) ? a.dilations : [a.dilations, a.dilations]).some((d) => d > 1);
    if (dilated) {
      return { x: () => dilatedInputGradient(x, filter, grad, a), filter: () => dilatedFilterGradient(x, filter, grad, a) };
    }
    return {
      x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: grad, filter }, { strides: a.strides, pad: a.pad, dataFormat: a.dataFormat, dimRoundingMode: a.dimRoundingMode, inputShape: x.shape } as unknown as NamedAttrMap) as tf.Tensor,
      filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: grad }, { strides: a.strides, pad: a.pad, dataFormat: a.dataFormat, dimRoundingMode: a.dimRoundingMode, filterShape: filter.shape } as unknown as NamedAttrMap) as tf.Tensor,
    };
  },
};

let registered = false;

/** Replaces TF.js' Conv2D gradient by the one above (idempotent). */
export function registerConv2dGradient(): void {
  if (registered) return;
  registerGradient(conv2dGradient);
  registered = true;
}
