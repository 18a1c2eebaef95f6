import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
// Registers the gradient of every tfjs op, which tf.grads needs (tfjs-core's node build has none).
import '@tensorflow/tfjs-layers';
import { startBackend } from '../src/backend.js';
import { conv2d, patches } from '../src/model/conv.js';
import { fillUniform, streamKey } from '../src/rng.js';
import { maxRelError } from './helpers/fixtures.js';

function random(shape: number[], stream: number): tf.Tensor {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fillUniform(v, streamKey(7, 300, stream), -1, 1);
  return tf.tensor(v, shape);
}

type Conv = (x: tf.Tensor4D, w: tf.Tensor4D, stride: number) => tf.Tensor4D;
interface Case { x: number[]; w: number[]; stride: number }

/** Gradients of Σ r·conv(x, w) with respect to x and w, as plain arrays. */
function grads(conv: Conv, { x: xShape, w: wShape, stride }: Case): Float32Array[] {
  return tf.tidy(() => {
    const x = random(xShape, 1), w = random(wShape, 2);
    const out = conv(x as tf.Tensor4D, w as tf.Tensor4D, stride);
    const r = random(out.shape, 3);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D, stride), r)))([x, w]).map((g) => g.dataSync() as Float32Array);
  });
}

const native: Conv = (x, w, stride) => tf.conv2d(x, w, stride, 'same');
const cases: Case[] = [
  { x: [2, 6, 5, 1], w: [3, 3, 1, 4], stride: 1 },
  { x: [3, 7, 7, 3], w: [3, 3, 3, 5], stride: 1 },
  { x: [1, 4, 6, 2], w: [5, 5, 2, 3], stride: 1 },
  { x: [2, 8, 8, 1], w: [3, 3, 1, 4], stride: 2 },
  { x: [2, 7, 6, 3], w: [3, 3, 3, 2], stride: 2 },
];

test.serial('patches lists each pixel neighbourhood in filter order, zero-padded', async (t) => {
  await startBackend('wasm');
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
  // 3×3 around pixel (0, 0): the top row and left column are padding.
  t.deepEqual(Array.from(tf.slice(patches(x, 3, 3), [0, 0], [1, 9]).dataSync()), [0, 0, 0, 0, 1, 2, 0, 4, 5]);
});

test.serial("conv2d's gradients equal tf.conv2d's native ones (cpu backend, which has every kernel)", async (t) => {
  await startBackend('cpu');
  for (const shapes of cases) {
    const [dx, dw] = grads(conv2d, shapes);
    const [nx, nw] = grads(native, shapes);
    t.true(maxRelError(dx, nx) < 1e-5, `dx ${JSON.stringify(shapes)}: ${maxRelError(dx, nx)}`);
    t.true(maxRelError(dw, nw) < 1e-5, `dw ${JSON.stringify(shapes)}: ${maxRelError(dw, nw)}`);
  }
});

test.serial('on wasm, where tf.conv2d has no filter gradient, conv2d gives the same gradients as native cpu', async (t) => {
  await startBackend('cpu');
  const expected = cases.map((shapes) => grads(native, shapes));
  await startBackend('wasm');
  t.throws(() => grads(native, cases[0]), { message: /Conv2DBackpropFilter/ });
  // wasm sums in another order: near-zero entries differ by rounding, so errors are relative to at least 0.01 (entries are O(1)) and float32 rounding allows 1e-4.
  cases.forEach((shapes, i) => {
    const [dx, dw] = grads(conv2d, shapes);
    t.true(maxRelError(dx, expected[i][0], 1e-2) < 1e-4, `dx ${JSON.stringify(shapes)}: ${maxRelError(dx, expected[i][0], 1e-2)}`);
    t.true(maxRelError(dw, expected[i][1], 1e-2) < 1e-4, `dw ${JSON.stringify(shapes)}: ${maxRelError(dw, expected[i][1], 1e-2)}`);
  });
});
