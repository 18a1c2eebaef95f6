/**
 * Trains the judge of `dgan eval` (src/eval/judge.ts) on the MNIST training
 * set with the GAN's own forward/backward and Adam, reports its accuracy on
 * the 10k test set, and writes judge/mnist-judge.{bin,json}.
 *
 *   node dist/bench/train-judge.js [--epochs 20] [--out judge/mnist-judge] [--seed 0]
 *
 * Each training image is shifted by up to 2 pixels in x and y (zeros shifted
 * in): an MLP has no translation invariance of its own, and the shifts are
 * what lift it from about 98.0% to past 98.5% on the test set.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../src/backend.js';
import { defaultMnistDir, loadMnist } from '../src/data/mnist.js';
import { unitImages } from '../src/eval/images.js';
import { JUDGE_CLASSES, JUDGE_PIXELS, JUDGE_SLOPE, accuracy, judgeImages, judgeSpec, saveJudge } from '../src/eval/judge.js';
import { initParams } from '../src/model/init.js';
import { dropoutWidths } from '../src/model/layout.js';
import { backward, disposeNet, flattenGrads, forward, uploadNet } from '../src/model/mlp.js';
import { adamState, adamUpdate } from '../src/optim/adam.js';
import { fillDropout, permutation, streamKey, word } from '../src/rng.js';

const { values: flags } = parseArgs({
  options: {
    epochs: { type: 'string', default: '20' },
    out: { type: 'string', default: 'judge/mnist-judge' },
    seed: { type: 'string', default: '0' },
    'batch-size': { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.001' },
    dropout: { type: 'string', default: '0.2' },
    shift: { type: 'string', default: '2' },
  },
});
const epochs = Number(flags.epochs), seed = Number(flags.seed), batch = Number(flags['batch-size']);
const lr0 = Number(flags.lr), p = Number(flags.dropout), maxShift = Number(flags.shift);
const hidden: [number, number] = [512, 128];
const SIDE = 28;
// Stream purposes beyond rng.ts's Purpose: the judge's streams never meet the GAN's.
const ORDER = 201, DROP = 202, SHIFT = 203;

/** Feature-major [pixels, rows] in [−1, 1], image r shifted by (dx, dy) drawn from its own stream. */
function shiftedBatch(bytes: Uint8Array, idx: Int32Array, epoch: number): Float32Array {
  const rows = idx.length;
  const out = new Float32Array(JUDGE_PIXELS * rows).fill(-1); // background is −1 (byte 0)
  const key = streamKey(seed, SHIFT, epoch);
  const span = 2 * maxShift + 1;
  for (let r = 0; r < rows; r++) {
    const w = word(key, idx[r]);
    const dx = (w % span) - maxShift, dy = (Math.floor(w / span) % span) - maxShift;
    const src = idx[r] * JUDGE_PIXELS;
    for (let y = Math.max(0, dy); y < Math.min(SIDE, SIDE + dy); y++) {
      for (let x = Math.max(0, dx); x < Math.min(SIDE, SIDE + dx); x++) {
        out[(y * SIDE + x) * rows + r] = Math.fround(bytes[src + (y - dy) * SIDE + (x - dx)] / 255) * 2 - 1;
      }
    }
  }
  return out;
}

await startBackend('wasm');
const dir = defaultMnistDir();
const train = loadMnist(dir, 'train'), test = loadMnist(dir, 't10k');
const spec = judgeSpec(hidden);
const params = initParams(spec, seed);
const adam = adamState(spec.size);
const grad = new Float32Array(spec.size);
const testImages = unitImages(test.images, JUDGE_PIXELS, 0, test.count);
const widths = dropoutWidths(spec);
const steps = Math.ceil(train.count / batch);

function testAccuracy(): number {
  const net = uploadNet(spec, params);
  try {
    return accuracy(judgeImages(net, testImages, test.count).probs, test.labels);
  } finally {
    disposeNet(net);
  }
}

const started = Date.now();
for (let epoch = 0; epoch < epochs; epoch++) {
  const order = permutation(train.count, streamKey(seed, ORDER, epoch));
  let lossSum = 0;
  for (let s = 0; s < steps; s++) {
    const idx = order.subarray(s * batch, Math.min((s + 1) * batch, train.count));
    const rows = idx.length;
    const net = uploadNet(spec, params);
    lossSum += tf.tidy(() => {
      const xT = tf.tensor2d(shiftedBatch(train.images, idx, epoch), [JUDGE_PIXELS, rows]);
      const masks = widths.map((w, k) => {
        const m = new Float32Array(w * rows);
        fillDropout(m, streamKey(seed, DROP, epoch * steps + s, k), p, 1 / (1 - p), m.length, 0, 0);
        return tf.tensor2d(m, [w, rows]);
      });
      const { out, trace } = forward(net, xT, masks, JUDGE_SLOPE);
      const logp = tf.logSoftmax(tf.transpose(out)); // [rows, 10]
      const onehot = tf.oneHot(tf.tensor1d(Array.from(idx, (i) => train.labels[i]), 'int32'), JUDGE_CLASSES);
      const loss = -tf.sum(tf.mul(logp, onehot)).dataSync()[0] / rows;
      // d(mean cross-entropy)/d(logits) = (softmax − onehot) / rows, feature-major.
      const dOut = tf.transpose(tf.div(tf.sub(tf.exp(logp), onehot), rows)) as tf.Tensor2D;
      flattenGrads(spec, backward(net, trace, dOut, { params: true, input: false }).params!, grad);
      return loss;
    });
    disposeNet(net);
    // Cosine decay to 0 over the whole run: the last epochs settle instead of jittering.
    const t = epoch * steps + s;
    const lr = 0.5 * lr0 * (1 + Math.cos((Math.PI * t) / (epochs * steps)));
    adam.t++;
    adamUpdate({ params, m: adam.m, v: adam.v }, { params, m: adam.m, v: adam.v }, grad, adam.t, lr, { betas: [0.9, 0.999], eps: 1e-8 });
  }
  const acc = epoch % 5 === 4 || epoch === epochs - 1 ? ` test accuracy ${(100 * testAccuracy()).toFixed(2)}%` : '';
  console.log(`epoch ${epoch + 1}/${epochs}: loss ${(lossSum / steps).toFixed(4)}${acc} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

const acc = testAccuracy();
const trained = { epochs, batch, lr: lr0, dropout: p, shift: maxShift, seed, seconds: Math.round((Date.now() - started) / 1000) };
const { bin, json } = saveJudge(flags.out, hidden, params, acc, trained);
console.log(`judge: test accuracy ${(100 * acc).toFixed(2)}% on ${test.count} images → ${bin} (${4 * spec.size} bytes), ${json}`);
