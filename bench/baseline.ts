/**
 * The baseline: the same GAN written the plain tfjs way, in one thread on the
 * wasm backend: tf.layers sequential models, autograd, and
 * optimizer.minimize with tf.train.adam. Same sizes, losses, learning rates
 * and betas as the config; the same MNIST batches as the real-step bench.
 *
 *   G: z → h → 2h → 4h → pixels, leaky ReLU 0.2 + dropout 0.3 after the
 *      first two hidden layers, leaky after the third, tanh out.
 *   D: pixels → 4h → 2h → h → 1 logit, leaky ReLU + dropout after each hidden layer.
 *   D step: sigmoid CE(D(real), real_label) + sigmoid CE(D(G(z)), 0), G(z) off the tape.
 *   G step: sigmoid CE(D(G(z′)), 1), only G's weights updated.
 *
 * Importing @tensorflow/tfjs-layers also registers every op's gradient with
 * tfjs-core (tfjs-core alone has none: tf.grad fails with "gradient function
 * not found"); checkGradients makes that a clear error should it ever change.
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { startBackend } from '../src/backend.js';
import { type Config, imagePixels } from '../src/config.js';
import { batchIndices, epochOrder } from '../src/data/batches.js';
import type { ImageSet } from '../src/data/mnist.js';
import { discriminatorSpec, generatorSpec } from '../src/model/layout.js';
import { sequentialModel } from '../src/model/layers.js';
import { fullBatches, type Measurement } from './run.js';
import { RssSampler, median } from './stats.js';

export interface BaselineOptions {
  config: Config;
  data: ImageSet;
  warmup: number;
  steps: number;
}

/** Throws unless autograd works on the active backend (some op's gradient could be unregistered). */
export function checkGradients(): void {
  try {
    tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.matMul(x as tf.Tensor2D, x as tf.Tensor2D)))(tf.ones([2, 2])).dataSync());
  } catch (e) {
    throw new Error(`tfjs autograd is not available for the baseline: ${(e as Error).message}`);
  }
}

/** The images as [rows, pixels] floats: bytes 0..255 → [0, 1] → [−1, 1], as the real step's input. */
export function imageRows(images: Uint8Array, pixels: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * pixels);
  for (let r = 0; r < indices.length; r++) {
    const src = indices[r] * pixels;
    for (let p = 0; p < pixels; p++) out[r * pixels + p] = Math.fround(images[src + p] / 255) * 2 - 1;
  }
  return out;
}

const trainable = (model: tfl.Sequential) => model.trainableWeights.map((w) => w.read() as tf.Variable);

/** Runs in the calling thread, which it leaves with the wasm backend active. */
export async function benchBaseline(opts: BaselineOptions): Promise<Measurement> {
  const { config, data } = opts;
  const { batch_size: batchSize, seed, shuffle, real_label: realLabel } = config.train;
  const { d: od, g: og } = config.optim;
  const pixels = imagePixels(config.model);
  const batches = fullBatches(data.count, batchSize);
  const order = epochOrder(data.count, seed, 0, shuffle);

  await startBackend('wasm');
  checkGradients();
  const rss = new RssSampler();
  const G = sequentialModel(generatorSpec(config.model), config.model);
  const D = sequentialModel(discriminatorSpec(config.model), config.model);
  const gVars = trainable(G);
  const dVars = trainable(D);
  const dOpt = tf.train.adam(od.lr, od.betas[0], od.betas[1], od.eps);
  const gOpt = tf.train.adam(og.lr, og.betas[0], og.betas[1], og.eps);
  const apply = (model: tfl.Sequential, x: tf.Tensor) => model.apply(x, { training: true }) as tf.Tensor2D;
  const bce = (label: number, logits: tf.Tensor2D) => tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, label), logits) as tf.Scalar;

  const step = (indices: Int32Array): { dLoss: number; gLoss: number } =>
    tf.tidy(() => {
      const rows = indices.length;
      const real = tf.tensor2d(imageRows(data.images, pixels, indices), [rows, pixels]);
      const fake = apply(G, tf.randomNormal([rows, config.model.z_dim])); // not on minimize's tape: G gets no gradient here
      const dLoss = dOpt.minimize(() => tf.add(bce(realLabel, apply(D, real)), bce(0, apply(D, fake))) as tf.Scalar, true, dVars)!;
      const z = tf.randomNormal([rows, config.model.z_dim]);
      const gLoss = gOpt.minimize(() => bce(1, apply(D, apply(G, z))), true, gVars)!;
      return { dLoss: dLoss.dataSync()[0], gLoss: gLoss.dataSync()[0] };
    });

  const stepMs: number[] = [];
  let last = { dLoss: NaN, gLoss: NaN };
  let rssBytes = 0;
  try {
    for (let i = 0; i < opts.warmup + opts.steps; i++) {
      const t0 = performance.now();
      last = step(batchIndices(order, batchSize, i % batches));
      const ms = performance.now() - t0;
      rss.sample();
      if (i >= opts.warmup) stepMs.push(ms);
    }
  } finally {
    rssBytes = rss.stop();
    G.dispose();
    D.dispose();
    dOpt.dispose();
    gOpt.dispose();
  }
  return { stepMs, msPerStep: median(stepMs), overheadShare: null, rssBytes, workerBytes: null, ...last };
}
