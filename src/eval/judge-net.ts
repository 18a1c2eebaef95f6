/**
 * The judge's network: a small convnet over 28×28 digits.
 *
 *   conv k×k stride 2 → ReLU → conv k×k stride 2 → ReLU → fc → ReLU (the features) → fc (10 logits)
 *
 * Stride-2 convolutions instead of conv + max-pooling: on wasm, MaxPoolGrad
 * and the stride-1 input gradient cost more than the whole strided net.
 *
 * Its parameters live in one flat Float32Array like the GAN's, slot by slot;
 * conv filters are [kh, kw, in, out] and fc weights [in, out] (tfjs layouts,
 * not PyTorch's). The forward is plain tfjs ops, so tf.grads trains it; the
 * one kernel wasm lacks for that is stood in for by model/conv.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ParamSlot, packSlots, slotView } from '../model/layout.js';
import { conv2d } from '../model/conv.js';
import { fillUniform, streamKey } from '../rng.js';

export const JUDGE_SIDE = 28;
export const JUDGE_PIXELS = JUDGE_SIDE * JUDGE_SIDE;
export const JUDGE_CLASSES = 10;

export interface JudgeShape {
  /** Output channels of the two convolutions. */
  channels: [number, number];
  /** Side of the square conv kernels (odd, 'same' padding). */
  kernel: number;
  /** Width of the features: the hidden fc layer. */
  hidden: number;
}

export const JUDGE_SHAPE: JudgeShape = { channels: [16, 32], kernel: 3, hidden: 128 };

export interface JudgeLayout {
  shape: JudgeShape;
  slots: ParamSlot[];
  size: number;
}

/** After two stride-2 convolutions: 7×7 pixels of channels[1]. */
const downSide = JUDGE_SIDE / 4;

export function judgeLayout(shape: JudgeShape = JUDGE_SHAPE): JudgeLayout {
  const { channels: [c1, c2], kernel: k, hidden } = shape;
  return {
    shape,
    ...packSlots([
      ['conv1.weight', [k, k, 1, c1]],
      ['conv1.bias', [c1]],
      ['conv2.weight', [k, k, c1, c2]],
      ['conv2.bias', [c2]],
      ['fc1.weight', [downSide * downSide * c2, hidden]],
      ['fc1.bias', [hidden]],
      ['fc2.weight', [hidden, JUDGE_CLASSES]],
      ['fc2.bias', [JUDGE_CLASSES]],
    ]),
  };
}

/** A stream purpose of its own, beyond rng.ts's Purpose: the judge's streams never meet the GAN's. */
export const JUDGE_INIT = 200;

/** PyTorch's default for conv and linear layers: U(−1/√fan_in, 1/√fan_in), weight and bias alike. */
export function initJudge(layout: JudgeLayout, seed: number): Float32Array {
  const flat = new Float32Array(layout.size);
  layout.slots.forEach((slot, s) => {
    const weight = layout.slots[s - (s % 2)].shape; // slots pair up: a weight, then its bias
    const fanIn = weight.slice(0, -1).reduce((a, b) => a * b, 1); // all but the output axis
    const a = 1 / Math.sqrt(fanIn);
    fillUniform(flat, streamKey(seed, JUDGE_INIT, s), -a, a, slot.size, slot.offset);
  });
  return flat;
}

/** One tensor per slot, in slot order. */
export function uploadJudge(layout: JudgeLayout, flat: Float32Array): tf.Tensor[] {
  return layout.slots.map((slot) => tf.tensor(slotView(flat, slot), slot.shape));
}

/**
 * Features [n, hidden] and logits [n, 10] of images x, row-major [n, 784] in
 * [−1, 1]. `keep` (training only) multiplies the features: inverted-dropout
 * multipliers [n, hidden].
 */
export function judgeForward(params: tf.Tensor[], x: tf.Tensor2D, keep: tf.Tensor2D | null = null): { features: tf.Tensor2D; logits: tf.Tensor2D } {
  const [w1, b1, w2, b2, w3, b3, w4, b4] = params;
  const n = x.shape[0];
  const block = (h: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor) => tf.relu(tf.add(conv2d(h, w as tf.Tensor4D, 2), b)) as tf.Tensor4D;
  const h1 = block(tf.reshape(x, [n, JUDGE_SIDE, JUDGE_SIDE, 1]), w1, b1);
  const h2 = block(h1, w2, b2);
  const features = tf.relu(tf.add(tf.matMul(tf.reshape(h2, [n, -1]), w3 as tf.Tensor2D), b3)) as tf.Tensor2D;
  const logits = tf.add(tf.matMul(keep ? tf.mul(features, keep) : features, w4 as tf.Tensor2D), b4) as tf.Tensor2D;
  return { features, logits };
}
