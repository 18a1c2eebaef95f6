/**
 * The judge of `dgan eval`: a small MNIST classifier whose penultimate layer
 * gives the features for the Fréchet distance and whose softmax gives the
 * class probabilities for the Inception score. It is an MLP built from the
 * GAN's own pieces (layout, forward and backward in mlp.ts), so it needs no
 * kernel that tfjs-wasm lacks and trains with the same Adam.
 *
 * On disk: `<name>.bin` holds the flat float32 parameters (little-endian, in
 * the spec's slot order) and `<name>.json` the layout and how it was made;
 * loading checks one against the other.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import { makeFolders } from '../outputs.js';
import { type LayerSpec, type NetSpec, netSpec } from '../model/layout.js';
import { type Net, forward } from '../model/mlp.js';

export const JUDGE_CLASSES = 10;
export const JUDGE_PIXELS = 28 * 28;
/** ReLU: the leaky activation with slope 0. */
export const JUDGE_SLOPE = 0;
export const JUDGE_FORMAT = 'dgan-judge';

/** pixels → 512 → 128 (the features) → 10 logits; dropout after both hidden layers in training. */
export function judgeSpec(hidden: [number, number] = [512, 128]): NetSpec {
  const layers: LayerSpec[] = [
    { in: JUDGE_PIXELS, out: hidden[0], activation: 'leaky', dropout: true },
    { in: hidden[0], out: hidden[1], activation: 'leaky', dropout: true },
    { in: hidden[1], out: JUDGE_CLASSES, activation: 'none', dropout: false },
  ];
  return netSpec('judge', layers);
}

/** Width of the features: the last hidden layer. */
export function featureWidth(spec: NetSpec): number {
  return spec.layers[spec.layers.length - 1].in;
}

export interface JudgeHeader {
  format: typeof JUDGE_FORMAT;
  version: 1;
  /** Widths of the two hidden layers. */
  hidden: [number, number];
  /** Input: 28×28 pixels, row-major, scaled to [−1, 1] like G's output. */
  input: string;
  slots: { name: string; shape: number[]; offset: number }[];
  sha256: string;
  test_accuracy: number;
  trained: Record<string, unknown>;
}

export interface Judge {
  spec: NetSpec;
  params: Float32Array;
  header: JudgeHeader;
}

export function judgePaths(base: string): { bin: string; json: string } {
  return { bin: `${base}.bin`, json: `${base}.json` };
}

export function paramsSha256(params: Float32Array): string {
  return createHash('sha256').update(paramBytes(params)).digest('hex');
}

export function paramBytes(params: Float32Array): Buffer {
  if (endianness() === 'LE') return Buffer.from(params.buffer, params.byteOffset, params.byteLength);
  const out = Buffer.alloc(params.byteLength);
  params.forEach((v, i) => out.writeFloatLE(v, 4 * i));
  return out;
}

export function judgeHeader(hidden: [number, number], params: Float32Array, testAccuracy: number, trained: Record<string, unknown>): JudgeHeader {
  const spec = judgeSpec(hidden);
  return {
    format: JUDGE_FORMAT,
    version: 1,
    hidden,
    input: '28x28 row-major, bytes/255*2-1',
    slots: spec.slots.map(({ name, shape, offset }) => ({ name, shape, offset })),
    sha256: paramsSha256(params),
    test_accuracy: testAccuracy,
    trained,
  };
}

/** Writes `<base>.bin` and `<base>.json` (each atomically); returns their paths. */
export function saveJudge(base: string, hidden: [number, number], params: Float32Array, testAccuracy: number, trained: Record<string, unknown>): { bin: string; json: string } {
  const paths = judgePaths(base);
  makeFolders(dirname(paths.bin));
  writeFileAtomic(paths.bin, paramBytes(params));
  writeFileAtomic(paths.json, JSON.stringify(judgeHeader(hidden, params, testAccuracy, trained), null, 2) + '\n');
  return paths;
}

/** Reads `<base>.json` and `<base>.bin`; a missing, foreign or damaged pair is a UserError. */
export function loadJudge(base: string): Judge {
  const { bin, json } = judgePaths(base);
  for (const p of [json, bin]) if (!existsSync(p)) throw new UserError(`${p}: judge file not found; train one with \`node dist/bench/train-judge.js\``);
  const header = JSON.parse(readFileSync(json, 'utf8')) as JudgeHeader;
  if (header.format !== JUDGE_FORMAT || header.version !== 1) throw new UserError(`${json}: not a dgan judge (format ${header.format}, version ${header.version})`);
  const spec = judgeSpec(header.hidden);
  const bytes = readFileSync(bin);
  if (bytes.length !== 4 * spec.size) throw new UserError(`${bin}: ${bytes.length} bytes, the layout in ${json} needs ${4 * spec.size}`);
  const params = new Float32Array(spec.size);
  for (let i = 0; i < spec.size; i++) params[i] = bytes.readFloatLE(4 * i);
  if (paramsSha256(params) !== header.sha256) throw new UserError(`${bin}: sha256 differs from ${json}; the pair is damaged or mismatched`);
  return { spec, params, header };
}

export interface Judgement {
  /** [n, featureWidth] row-major. */
  features: Float64Array;
  /** [n, 10] row-major, softmax. */
  probs: Float64Array;
}

/**
 * Features and class probabilities of n images, row-major [n, pixels] in
 * [−1, 1], the judge in eval mode (no dropout); a tfjs backend must be active
 * and `net` uploaded (uploadNet). One forward gives both: the features are
 * the last layer's input.
 */
export function judgeImages(net: Net, images: Float32Array, n: number, chunk = 1000): Judgement {
  const d = featureWidth(net.spec);
  const features = new Float64Array(n * d);
  const probs = new Float64Array(n * JUDGE_CLASSES);
  for (let first = 0; first < n; first += chunk) {
    const rows = Math.min(chunk, n - first);
    tf.tidy(() => {
      const xT = tf.transpose(tf.tensor2d(images.subarray(first * JUDGE_PIXELS, (first + rows) * JUDGE_PIXELS), [rows, JUDGE_PIXELS])) as tf.Tensor2D;
      const { out, trace } = forward(net, xT, null, JUDGE_SLOPE);
      const h = trace.inputs[trace.inputs.length - 1];
      features.set(tf.transpose(h).dataSync(), first * d);
      probs.set(tf.softmax(tf.transpose(out)).dataSync(), first * JUDGE_CLASSES);
    });
  }
  return { features, probs };
}

/** Features alone (see judgeImages). */
export function features(net: Net, images: Float32Array, n: number): Float64Array {
  return judgeImages(net, images, n).features;
}

/** Class probabilities alone (see judgeImages). */
export function probs(net: Net, images: Float32Array, n: number): Float64Array {
  return judgeImages(net, images, n).probs;
}

/** Share of rows whose top class is the label. */
export function accuracy(p: Float64Array, labels: ArrayLike<number>): number {
  let right = 0;
  for (let r = 0; r < labels.length; r++) {
    let top = 0;
    for (let y = 1; y < JUDGE_CLASSES; y++) if (p[r * JUDGE_CLASSES + y] > p[r * JUDGE_CLASSES + top]) top = y;
    if (top === labels[r]) right++;
  }
  return right / labels.length;
}
