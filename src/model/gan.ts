/**
 * The two phases of one GAN step on one micro-shard, over explicit inputs
 * (images, z, dropout masks). Gradients are of the batch-mean loss restricted
 * to this shard's rows (scale = 1/batch), so the shards of a batch simply add.
 *
 *   D phase: ℓ_D = BCE(D(real), real_label) + BCE(D(G(z)), 0), G(z) without gradient;
 *            real and fake rows go through D stacked, as one pass.
 *   G phase: ℓ_G = BCE(D(G(z′)), 1) through the D just updated; D's own weight
 *            gradients are not needed, so only its input gradients are formed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bceSumAndGrad } from './losses.js';
import { type Net, backward, flattenGrads, forward } from './mlp.js';

/** Dropout masks per dropout layer, each [rows, width] of 0 or 1/(1−p); null = dropout off. */
export type Masks = Float32Array[] | null;

export interface PhaseOptions {
  slope: number;
  /** 1 / batch size. */
  scale: number;
  realLabel: number;
}

export interface DPhaseInput {
  rows: number;
  real: Float32Array; // [rows, pixels] in [−1, 1]
  z: Float32Array; // [rows, z_dim]
  gMasks: Masks;
  dMasks: Masks; // [2·rows, width]: real rows first, then fake
}

export interface GPhaseInput {
  rows: number;
  z: Float32Array;
  gMasks: Masks;
  dMasks: Masks; // [rows, width]
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

function maskTensors(masks: Masks, rows: number): tf.Tensor2D[] | null {
  return masks && masks.map((m) => tf.tensor2d(m, [rows, m.length / rows]));
}

export function dPhaseShard(G: Net, D: Net, input: DPhaseInput, opt: PhaseOptions): ShardGrad {
  const { rows } = input;
  const pixels = input.real.length / rows;
  const zDim = input.z.length / rows;
  return tidyPlain(() => {
    const fake = forward(G, tf.tensor2d(input.z, [rows, zDim]), maskTensors(input.gMasks, rows), opt.slope).out;
    const x = tf.concat([tf.tensor2d(input.real, [rows, pixels]), fake], 0); // [2·rows, pixels]
    const { out, trace } = forward(D, x, maskTensors(input.dMasks, 2 * rows), opt.slope);
    const logits = out.dataSync() as Float32Array;
    const dLogits = new Float32Array(2 * rows);
    const real = bceSumAndGrad(logits, opt.realLabel, opt.scale, dLogits, 0, rows);
    const fakeLoss = bceSumAndGrad(logits, 0, opt.scale, dLogits, rows, 2 * rows);
    const grads = backward(D, trace, tf.tensor2d(dLogits, [2 * rows, 1]), opt.slope, { params: true, input: false });
    return { lossSums: [real, fakeLoss], grad: flattenGrads(D.spec, grads.params!, new Float32Array(D.spec.size)) };
  });
}

export function gPhaseShard(G: Net, D: Net, input: GPhaseInput, opt: PhaseOptions): ShardGrad {
  const { rows } = input;
  const zDim = input.z.length / rows;
  return tidyPlain(() => {
    const g = forward(G, tf.tensor2d(input.z, [rows, zDim]), maskTensors(input.gMasks, rows), opt.slope);
    const d = forward(D, g.out, maskTensors(input.dMasks, rows), opt.slope);
    const logits = d.out.dataSync() as Float32Array;
    const dLogits = new Float32Array(rows);
    const loss = bceSumAndGrad(logits, 1, opt.scale, dLogits);
    const dFake = backward(D, d.trace, tf.tensor2d(dLogits, [rows, 1]), opt.slope, { params: false, input: true }).input!;
    const grads = backward(G, g.trace, dFake, opt.slope, { params: true, input: false });
    return { lossSums: [loss], grad: flattenGrads(G.spec, grads.params!, new Float32Array(G.spec.size)) };
  });
}

/** G in evaluation mode (no dropout): images in [−1, 1], [rows, pixels]. */
export function generate(G: Net, z: Float32Array, rows: number, slope: number): Float32Array {
  return tidyPlain(() => forward(G, tf.tensor2d(z, [rows, z.length / rows]), null, slope).out.dataSync() as Float32Array);
}
