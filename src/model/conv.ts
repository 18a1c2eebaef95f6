/**
 * A 2-D convolution that trains on the wasm backend. tfjs-backend-wasm has
 * Conv2D and Conv2DBackpropInput but no Conv2DBackpropFilter kernel, so
 * tf.conv2d's gradient stops there. The filter gradient is a matMul of the
 * input's patches with dy, and the patches come from one more Conv2D with a
 * one-hot filter: every kernel involved exists on every backend, and Conv2D
 * is wasm's fastest (shifted slices concatenated were 3–15× slower).
 *
 * NHWC input, filter [kh, kw, inC, outC], 'same' padding.
 *
 * tfjs-core's node build registers no op gradients; a caller of tf.grads
 * imports @tensorflow/tfjs-layers first, which registers all of them.
 */
import * as tf from '@tensorflow/tfjs-core';

/** One-hot filter [kh, kw, c, kh·kw·c]: output channel (i·kw + j)·c + ch copies input channel ch at offset (i, j). */
function patchFilter(kh: number, kw: number, c: number): tf.Tensor4D {
  const k = kh * kw * c;
  const values = new Float32Array(k * k);
  for (let q = 0; q < k; q++) values[q * k + q] = 1;
  return tf.tensor4d(values, [kh, kw, c, k]);
}

/** The kh×kw×c neighbourhood of every output pixel, [n·oh·ow, kh·kw·c] in the filter's (i, j, ch) order, padded as 'same' pads. */
export function patches(x: tf.Tensor4D, kh: number, kw: number, stride = 1): tf.Tensor2D {
  return tf.tidy(() => tf.reshape(tf.conv2d(x, patchFilter(kh, kw, x.shape[3]), stride, 'same'), [-1, kh * kw * x.shape[3]]));
}

/** ∂loss/∂filter of conv2d(x, filter, stride): patchesᵀ · dy. */
export function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], stride = 1): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, , outC] = filterShape;
    return tf.reshape(tf.matMul(patches(x, kh, kw, stride), tf.reshape(dy, [-1, outC]), true, false), filterShape);
  });
}

/** tf.conv2d(x, filter, stride, 'same') with a gradient for both arguments that every backend can compute. */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride = 1): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xs, w]);
    return {
      value: tf.conv2d(xs, w, stride, 'same'),
      gradFunc: (dy, saved) => {
        const [xIn, wIn] = saved as [tf.Tensor4D, tf.Tensor4D];
        const d = dy as tf.Tensor4D;
        return [tf.conv2dTranspose(d, wIn, xIn.shape, stride, 'same'), filterGrad(xIn, d, wIn.shape, stride)];
      },
    };
  });
  return op(x, filter) as tf.Tensor4D;
}
