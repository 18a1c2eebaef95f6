/**
 * Trains the judge of `dgan eval` (src/eval/judge-net.ts) on the MNIST
 * training set with tfjs gradients and dgan's Adam, reports its accuracy on
 * the 10k test set, and writes judge/mnist-judge.{bin,json}.
 *
 *   node dist/bench/train-judge.js [--epochs 4] [--out judge/mnist-judge] [--seed 0]   (--help for all)
 *
 * Every random draw (order, dropout, init) comes from dgan's counter-based
 * streams, so a rerun with the same flags on the same backend gives the same
 * judge.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
// Registers the gradient of every tfjs op, which tf.grads needs (tfjs-core's node build has none).
import '@tensorflow/tfjs-layers';
import { startBackend } from '../src/backend.js';
import { DEFAULT_JUDGE } from '../src/commands/eval.js';
import { packagePath } from '../src/commands/options.js';
import { defaultMnistDir, loadMnist } from '../src/data/mnist.js';
import { unitImages } from '../src/eval/images.js';
import { accuracy, judgeImages, saveJudge } from '../src/eval/judge.js';
import { JUDGE_CLASSES, JUDGE_PIXELS, JUDGE_SHAPE, initJudge, judgeForward, judgeLayout, uploadJudge } from '../src/eval/judge-net.js';
import { adamState, adamUpdate } from '../src/optim/adam.js';
import { fillDropout, permutation, streamKey } from '../src/rng.js';

const USAGE = `usage: node dist/bench/train-judge.js [options]
  --epochs <n>       passes over MNIST train (default 4)
  --batch-size <n>   images per step (default 64)
  --lr <x>           Adam's peak learning rate, cosine-decayed to 0 (default 0.002)
  --dropout <p>      dropout on the features (default 0.3)
  --seed <n>         seed of the init, order and dropout streams (default 0)
  --out <base>       writes <base>.bin and <base>.json (default: the package's ${DEFAULT_JUDGE}, the judge dgan eval uses)`;

function parseFlags() {
  try {
    const { values } = parseArgs({
      options: {
        epochs: { type: 'string', default: '4' },
        out: { type: 'string', default: packagePath(DEFAULT_JUDGE) },
        seed: { type: 'string', default: '0' },
        'batch-size': { type: 'string', default: '64' },
        lr: { type: 'string', default: '0.002' },
        dropout: { type: 'string', default: '0.3' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const numbers = [values.epochs, values.seed, values['batch-size'], values.lr, values.dropout].map(Number);
    if (!values.help && numbers.some((v) => !Number.isFinite(v) || v < 0)) throw new Error('every option but --out takes a non-negative number');
    return values;
  } catch (e) {
    console.error(`train-judge: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const flags = parseFlags();
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const epochs = Number(flags.epochs), seed = Number(flags.seed), batch = Number(flags['batch-size']);
const lr0 = Number(flags.lr), p = Number(flags.dropout);
// Stream purposes beyond rng.ts's Purpose (judge-net.ts's init is 200): the judge's streams never meet the GAN's.
const ORDER = 201, DROP = 202;

await startBackend('wasm');
const dir = defaultMnistDir();
const train = loadMnist(dir, 'train'), test = loadMnist(dir, 't10k');
const layout = judgeLayout(JUDGE_SHAPE);
const params = initJudge(layout, seed);
const adam = adamState(layout.size);
const grad = new Float32Array(layout.size);
const trainImages = unitImages(train.images, JUDGE_PIXELS, 0, train.count);
const testImages = unitImages(test.images, JUDGE_PIXELS, 0, test.count);
const steps = Math.ceil(train.count / batch);
const hidden = JUDGE_SHAPE.hidden;

function testAccuracy(): number {
  const net = uploadJudge(layout, params);
  try {
    return accuracy(judgeImages(net, testImages, test.count).probs, test.labels);
  } finally {
    tf.dispose(net);
  }
}

/** Rows idx of the training set, row-major [rows, 784]. */
function gather(idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * JUDGE_PIXELS);
  idx.forEach((i, r) => out.set(trainImages.subarray(i * JUDGE_PIXELS, (i + 1) * JUDGE_PIXELS), r * JUDGE_PIXELS));
  return out;
}

const started = Date.now();
for (let epoch = 0; epoch < epochs; epoch++) {
  const order = permutation(train.count, streamKey(seed, ORDER, epoch));
  let lossSum = 0;
  for (let s = 0; s < steps; s++) {
    const idx = order.subarray(s * batch, Math.min((s + 1) * batch, train.count));
    const rows = idx.length;
    const net = uploadJudge(layout, params);
    lossSum += tf.tidy(() => {
      const x = tf.tensor2d(gather(idx), [rows, JUDGE_PIXELS]);
      const mask = new Float32Array(rows * hidden);
      fillDropout(mask, streamKey(seed, DROP, epoch * steps + s), p, 1 / (1 - p), mask.length, 0, 0);
      const keep = tf.tensor2d(mask, [rows, hidden]);
      const onehot = tf.oneHot(tf.tensor1d(Array.from(idx, (i) => train.labels[i]), 'int32'), JUDGE_CLASSES);
      const meanCrossEntropy = (...w: tf.Tensor[]) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(judgeForward(w, x, keep).logits), onehot), 1)));
      const { value, grads } = tf.valueAndGrads(meanCrossEntropy)(net);
      grads.forEach((g, k) => grad.set(g.dataSync(), layout.slots[k].offset));
      return value.dataSync()[0];
    });
    tf.dispose(net);
    // Cosine decay to 0 over the whole run: the last epochs settle instead of jittering.
    const t = epoch * steps + s;
    const lr = 0.5 * lr0 * (1 + Math.cos((Math.PI * t) / (epochs * steps)));
    adam.t++;
    adamUpdate({ params, m: adam.m, v: adam.v }, { params, m: adam.m, v: adam.v }, grad, adam.t, lr, { betas: [0.9, 0.999], eps: 1e-8 });
  }
  console.log(`epoch ${epoch + 1}/${epochs}: loss ${(lossSum / steps).toFixed(4)} test accuracy ${(100 * testAccuracy()).toFixed(2)}% (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

const acc = testAccuracy();
const trained = { epochs, batch, lr: lr0, dropout: p, seed, backend: 'wasm', seconds: Math.round((Date.now() - started) / 1000) };
const { bin, json } = saveJudge(flags.out, JUDGE_SHAPE, params, acc, trained);
console.log(`judge: test accuracy ${(100 * acc).toFixed(2)}% on ${test.count} images → ${bin} (${4 * layout.size} bytes), ${json}`);
