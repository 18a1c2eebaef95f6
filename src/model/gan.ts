/**
 * The two phases of one GAN step on one micro-shard, over explicit inputs
 * (images, z, dropout masks; all feature-major, [features, rows]). Gradients
 * are of the batch-mean loss restricted to this shard's rows (scale =
 * 1/batch), so the shards of a batch simply add.
 *
 *   D phase: ℓ_D = BCE(D(real), real_label) + BCE(D(G(z)), 0), G(z) without gradient;
 *            real and fake columns go through D side by side, as one pass.
 *   G phase: ℓ_G = BCE(D(G(z′)), 1) through the D just updated; D's own weight
 *            gradients are not needed, so only its input gradients are formed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bceSumAndGrad } from './losses.js';
import { type Net, backward, flattenGrads, forward } from './mlp.js';

/** Dropout masks per dropout layer, each [width, rows] of 0 or 1/(1−p); null = dropout off. */
export type Masks = Float32Array[] | null;

export interface PhaseOptions {
  slope: number;
  /** 1 / batch size. */
  scale: number;
  realLabel: number;
}

export interface DPhaseInput {
  rows: number;
  real: Float32Array; // [pixels, rows] in [−1, 1]
  z: Float32Array; // [z_dim, rows]
  gMasks: Masks;
  dMasks: Masks; // [width, 2·rows]: real columns first, then fake
}

export interface GPhaseInput {
  rows: number;
  z: Float32Array;
  gMasks: Masks;
  dMasks: Masks; // [width, rows]
}

export interface ShardGrad {
  /** Loss sums over the shard's rows: [real term, fake term] in the D phase, [G term] in the G phase. */
  lossSums: number[];
  grad: Float32Array;
}

/**
 * tf.tidy, for work that hands back plain arrays: tidy walks whatever its
 * function returns, element by element, which for a gradient array of
 * millions of floats costs more than the math.
 */
function tidyPlain<T>(f: () => T): T {
  let result!: T;
  tf.tidy(() => {
    result = f();
  });
  return result;
}

function columns(values: Float32Array, rows: number): tf.Tensor2D {
  return tf.tensor2d(values, [values.length / rows, rows]);
}

function maskTensors(masks: Masks, rows: number): tf.Tensor2D[] | null {
  return masks && masks.map((m) => columns(m, rows));
}

/** `out` receives D's gradient (a replica passes the same array every time). */
export function dPhaseShard(G: Net, D: Net, input: DPhaseInput, opt: PhaseOptions, out: Float32Array = new Float32Array(D.spec.size)): ShardGrad {
  const { rows } = input;
  return tidyPlain(() => {
    const fake = forward(G, columns(input.z, rows), maskTensors(input.gMasks, rows), opt.slope).out;
    const x = tf.concat([columns(input.real, rows), fake], 1); // [pixels, 2·rows]
    const d = forward(D, x, maskTensors(input.dMasks, 2 * rows), opt.slope);
    const logits = d.out.dataSync() as Float32Array;
    const dLogits = new Float32Array(2 * rows);
    const real = bceSumAndGrad(logits, opt.realLabel, opt.scale, dLogits, 0, rows);
    const fakeLoss = bceSumAndGrad(logits, 0, opt.scale, dLogits, rows, 2 * rows);
    const grads = backward(D, d.trace, tf.tensor2d(dLogits, [1, 2 * rows]), { params: true, input: false });
    return { lossSums: [real, fakeLoss], grad: flattenGrads(D.spec, grads.params!, out) };
  });
}

/** `out` receives G's gradient. */
export function gPhaseShard(G: Net, D: Net, input: GPhaseInput, opt: PhaseOptions, out: Float32Array = new Float32Array(G.spec.size)): ShardGrad {
  const { rows } = input;
  return tidyPlain(() => {
    const g = forward(G, columns(input.z, rows), maskTensors(input.gMasks, rows), opt.slope);
    const d = forward(D, g.out, maskTensors(input.dMasks, rows), opt.slope);
    const logits = d.out.dataSync() as Float32Array;
    const dLogits = new Float32Array(rows);
    const loss = bceSumAndGrad(logits, 1, opt.scale, dLogits);
    const dFake = backward(D, d.trace, tf.tensor2d(dLogits, [1, rows]), { params: false, input: true }).input!;
    const grads = backward(G, g.trace, dFake, { params: true, input: false });
    return { lossSums: [loss], grad: flattenGrads(G.spec, grads.params!, out) };
  });
}

/** G in evaluation mode (no dropout) on z [z_dim, rows]: images in [−1, 1], row-major [rows, pixels]. */
export function generate(G: Net, z: Float32Array, rows: number, slope: number): Float32Array {
  return tidyPlain(() => tf.transpose(forward(G, columns(z, rows), null, slope).out).dataSync() as Float32Array);
}
