/**
 * The judge of `dgan eval`: a small MNIST convnet (judge-net.ts) whose
 * features give the Fréchet distance and whose softmax gives the class
 * probabilities for the Inception score.
 *
 * On disk: `<name>.bin` holds the flat float32 parameters (little-endian, in
 * slot order) and `<name>.json` the shape, the layout and how it was made;
 * loading checks one against the other.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import { makeFolders } from '../outputs.js';
import { JUDGE_CLASSES, JUDGE_PIXELS, type JudgeLayout, type JudgeShape, judgeForward, judgeLayout } from './judge-net.js';

export { JUDGE_CLASSES, JUDGE_PIXELS } from './judge-net.js';

export const JUDGE_FORMAT = 'dgan-judge';
export const JUDGE_VERSION = 2;

export interface JudgeHeader {
  format: typeof JUDGE_FORMAT;
  version: typeof JUDGE_VERSION;
  shape: JudgeShape;
  /** Input: 28×28 pixels, row-major, scaled to [−1, 1] like G's output. */
  input: string;
  slots: { name: string; shape: number[]; offset: number }[];
  sha256: string;
  test_accuracy: number;
  trained: Record<string, unknown>;
}

export interface Judge {
  layout: JudgeLayout;
  params: Float32Array;
  header: JudgeHeader;
}

/** A judge is named by its base path; `j.json` or `j.bin` given for `j` names the same pair. */
export function judgePaths(base: string): { bin: string; json: string } {
  const b = base.replace(/\.(json|bin)$/, '');
  return { bin: `${b}.bin`, json: `${b}.json` };
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

/** The slots as the header lists them. */
const headerSlots = (layout: JudgeLayout): JudgeHeader['slots'] => layout.slots.map(({ name, shape, offset }) => ({ name, shape, offset }));

export function judgeHeader(shape: JudgeShape, params: Float32Array, testAccuracy: number, trained: Record<string, unknown>): JudgeHeader {
  return {
    format: JUDGE_FORMAT,
    version: JUDGE_VERSION,
    shape,
    input: '28x28 row-major, bytes/255*2-1',
    slots: headerSlots(judgeLayout(shape)),
    sha256: paramsSha256(params),
    test_accuracy: testAccuracy,
    trained,
  };
}

/** Writes `<base>.bin` and `<base>.json` (each atomically); returns their paths. */
export function saveJudge(base: string, shape: JudgeShape, params: Float32Array, testAccuracy: number, trained: Record<string, unknown>): { bin: string; json: string } {
  const paths = judgePaths(base);
  makeFolders(dirname(paths.bin));
  writeFileAtomic(paths.bin, paramBytes(params));
  writeFileAtomic(paths.json, JSON.stringify(judgeHeader(shape, params, testAccuracy, trained), null, 2) + '\n');
  return paths;
}

const RETRAIN = 'train one with `node dist/bench/train-judge.js`';

const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;

/** What makes a (parsed) judge header unusable, or null. */
function headerProblem(h: JudgeHeader): string | null {
  const s = h.shape;
  if (s === null || typeof s !== 'object' || !Array.isArray(s.channels) || s.channels.length !== 2 || !s.channels.every(positiveInt)) return 'shape.channels must be two positive integers';
  if (!positiveInt(s.kernel) || s.kernel % 2 === 0) return 'shape.kernel must be a positive odd integer';
  if (!positiveInt(s.hidden)) return 'shape.hidden must be a positive integer';
  if (typeof h.test_accuracy !== 'number' || !(h.test_accuracy >= 0 && h.test_accuracy <= 1)) return 'test_accuracy must be a number in [0, 1]';
  if (typeof h.sha256 !== 'string') return 'sha256 missing';
  return null;
}

/** Reads `<base>.json` and `<base>.bin`; a missing, foreign or damaged pair is a UserError. */
export function loadJudge(base: string): Judge {
  const { bin, json } = judgePaths(base);
  for (const p of [json, bin]) {
    if (!existsSync(p)) throw new UserError(`${p}: judge file not found; ${RETRAIN}`);
    if (!statSync(p).isFile()) throw new UserError(`${p}: not a file, so not half of a dgan judge; give --judge the base path of a .json and .bin pair`);
  }
  let header: JudgeHeader;
  try {
    header = JSON.parse(readFileSync(json, 'utf8')) as JudgeHeader;
  } catch {
    throw new UserError(`${json}: not JSON, so not a dgan judge`);
  }
  if (header === null || typeof header !== 'object') throw new UserError(`${json}: not a dgan judge (not a JSON object)`);
  if (header.format !== JUDGE_FORMAT) throw new UserError(`${json}: not a dgan judge (format ${header.format})`);
  if (header.version !== JUDGE_VERSION) throw new UserError(`${json}: judge format version ${header.version}, this dgan reads ${JUDGE_VERSION}; ${RETRAIN}`);
  const bad = headerProblem(header);
  if (bad) throw new UserError(`${json}: damaged judge header (${bad}); ${RETRAIN}`);
  const layout = judgeLayout(header.shape);
  if (JSON.stringify(header.slots) !== JSON.stringify(headerSlots(layout))) throw new UserError(`${json}: damaged judge header (its slots are not the layout of its shape); ${RETRAIN}`);
  const bytes = readFileSync(bin);
  if (bytes.length !== 4 * layout.size) throw new UserError(`${bin}: ${bytes.length} bytes, the layout in ${json} needs ${4 * layout.size}`);
  const params = new Float32Array(layout.size);
  for (let i = 0; i < layout.size; i++) params[i] = bytes.readFloatLE(4 * i);
  if (paramsSha256(params) !== header.sha256) throw new UserError(`${bin}: sha256 differs from ${json}; the pair is damaged or mismatched`);
  if (!params.every(Number.isFinite)) throw new UserError(`${bin}: holds weights that are not finite numbers; ${RETRAIN}`);
  return { layout, params, header };
}

export interface Judgement {
  /** [n, features] row-major. */
  features: Float64Array;
  /** [n, 10] row-major, softmax. */
  probs: Float64Array;
}

/**
 * Features and class probabilities of n images, row-major [n, pixels] in
 * [−1, 1]; a tfjs backend must be active and `params` uploaded (uploadJudge).
 * One forward gives both.
 */
export function judgeImages(params: tf.Tensor[], images: Float32Array, n: number, chunk = 500): Judgement {
  const width = params[params.length - 2].shape[0]; // fc2.weight is [features, 10]
  const features = new Float64Array(n * width);
  const probs = new Float64Array(n * JUDGE_CLASSES);
  for (let first = 0; first < n; first += chunk) {
    const rows = Math.min(chunk, n - first);
    tf.tidy(() => {
      const x = tf.tensor2d(images.subarray(first * JUDGE_PIXELS, (first + rows) * JUDGE_PIXELS), [rows, JUDGE_PIXELS]);
      const out = judgeForward(params, x);
      features.set(out.features.dataSync(), first * width);
      probs.set(tf.softmax(out.logits).dataSync(), first * JUDGE_CLASSES);
    });
  }
  return { features, probs };
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
