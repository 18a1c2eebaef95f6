/**
 * `dgan eval`: how good a run's G is, measured by a fixed MNIST judge (see
 * src/eval/judge.ts): the Fréchet distance of its features to the MNIST test
 * set's, the Inception score, the judge's confidence and the share of each
 * digit. Two sanity rows frame the number: real training images (the floor,
 * near 0) and uniform noise (far off). Every row has the same n, since the
 * distance's bias depends on it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { UserError } from '../errors.js';
import { startBackend } from '../backend.js';
import { defaultMnistDir } from '../data/mnist.js';
import { noiseImages, unitImages } from '../eval/images.js';
import { JUDGE_PIXELS, judgePaths } from '../eval/judge.js';
import { type EvalRow, formatRows } from '../eval/metrics.js';
import { type Scorer, checkJudgeFits, loadJudgeSet, openScorer } from '../eval/scorer.js';
import { writeFileAtomic } from '../fsutil.js';
import { checkOutFile, makeFolders } from '../outputs.js';
import { decodeNpy, NpyError } from '../report/npy.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { runFiles, runFilesAround } from '../train/rundir.js';
import { packagePath } from './options.js';

export const EVAL_DEFAULTS = { n: 10_000, seed: 0 };
/** The judge shipped with the repository (bench/train-judge.ts writes it). */
export const DEFAULT_JUDGE = 'judge/mnist-judge';
/** Real images and noise need that many training images at most. */
export const MAX_EVAL_N = 60_000;

export interface EvalFlags {
  checkpoint?: string;
  samples?: string;
  n: number;
  seed: number;
  json?: string;
  judge?: string;
  data?: string;
}

/** The pixels of one image, after the row count, that --samples takes: flat, 2-D, or with one channel. */
const IMAGE_SHAPES = ['784', '28,28', '1,28,28', '28,28,1'];

/** The images to judge: G's fresh samples, or a .npy file of images someone else drew. */
interface Subject {
  label: string;
  /** Rows available; Infinity for a G, which draws as many as asked. */
  rows: number;
  images(n: number, scorer: Scorer): EvalRow;
  /** Where it came from, for the JSON report. */
  source: Record<string, unknown>;
  /** Files no output may overwrite. */
  inputs: string[];
}

function checkpointSubject(path: string, seed: number): Subject {
  const state = loadCheckpoint(path);
  const { model } = state.config;
  checkJudgeFits(model);
  const label = `G (step ${state.position.step})`;
  return { label: `${path} at step ${state.position.step}`, rows: Infinity, images: (n, scorer) => scorer.scoreG(label, state.g.params, model, n, seed), source: { checkpoint: path, step: state.position.step }, inputs: runFiles(path) };
}

/** Pixels in [−1, 1], G's range; [0, 1] images pass the check but are far off, so they are pointed out. */
function samplesSubject(path: string): Subject {
  if (!existsSync(path)) throw new UserError(`--samples: ${path} not found`);
  if (!statSync(path).isFile()) throw new UserError(`--samples: ${path} is not a file; give a .npy file`);
  let npy: { data: Float32Array; shape: number[] };
  try {
    npy = decodeNpy(readFileSync(path));
  } catch (e) {
    if (e instanceof NpyError) throw new UserError(`--samples: ${path} is ${e.message}`);
    throw e;
  }
  const [rows, ...rest] = npy.shape;
  if (!IMAGE_SHAPES.includes(rest.join(','))) throw new UserError(`--samples: ${path} has shape (${npy.shape.join(', ')}); the judge reads arrays of 28×28 images: (n, 784), (n, 28, 28), (n, 1, 28, 28) or (n, 28, 28, 1)`);
  if (rows < 2) throw new UserError(`--samples: ${path} holds ${rows} image(s); the Fréchet distance needs at least 2`);
  let lo = Infinity, hi = -Infinity;
  for (const v of npy.data) {
    if (!Number.isFinite(v)) throw new UserError(`--samples: ${path} holds a non-finite value (${v})`);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo < -1 - 1e-6 || hi > 1 + 1e-6) throw new UserError(`--samples: ${path} has pixels in [${lo}, ${hi}]; the judge reads G's range [−1, 1] (from bytes: x/127.5 − 1)`);
  if (lo >= 0) console.error(`dgan: warning: every pixel of ${path} is ≥ 0; if they are [0, 1] images, rescale them to [−1, 1] (2x − 1) or the scores will be far off`);
  const label = `samples (${basename(path)})`;
  return { label: path, rows, images: (n, scorer) => scorer.score(label, npy.data, n), source: { samples: path, rows_in_file: rows }, inputs: [path] };
}

export async function evalCommand(flags: EvalFlags): Promise<number> {
  if (!flags.checkpoint === !flags.samples) throw new UserError('give one of --checkpoint RUN_DIR (a run\'s G) and --samples FILE.npy (images drawn elsewhere)');
  const subject = flags.checkpoint ? checkpointSubject(flags.checkpoint, flags.seed) : samplesSubject(flags.samples!);
  if (flags.judge === '') throw new UserError('--judge is empty: give the base path of a judge\'s .json and .bin pair');
  const judgeBase = flags.judge ?? packagePath(DEFAULT_JUDGE);
  const dir = flags.data ?? defaultMnistDir();
  const { bin, json } = judgePaths(judgeBase);
  if (flags.json !== undefined) checkOutFile(flags.json, '--json', [...subject.inputs, ...runFilesAround(flags.json), bin, json, dir]);
  const train = loadJudgeSet(dir, 'train'), test = loadJudgeSet(dir, 't10k');
  const n = Math.min(flags.n, train.count, subject.rows);
  if (n < flags.n) console.log(`dgan: note: ${n} images per row, not --n ${flags.n}: ${n === subject.rows ? `${flags.samples} holds ${n}` : `the training set holds ${n}`}; compare distances only at equal n`);

  await startBackend('wasm');
  const scorer = openScorer(judgeBase, test);
  const { judge } = scorer;
  let rows: EvalRow[];
  try {
    rows = [
      subject.images(n, scorer),
      scorer.score('real (MNIST train)', unitImages(train.images, JUDGE_PIXELS, 0, n), n),
      scorer.score('noise U(-1, 1)', noiseImages(n, JUDGE_PIXELS, flags.seed), n),
    ];
  } finally {
    scorer.close();
  }

  console.log(`dgan: ${subject.label}, ${n} images per row (seed ${flags.seed}), against MNIST test (${test.count});` + ` judge ${judgeBase} (test accuracy ${(100 * judge.header.test_accuracy).toFixed(2)}%)`);
  console.log(formatRows(rows));
  if (flags.json !== undefined) {
    const report = {
      ...subject.source,
      n,
      seed: flags.seed,
      reference: { set: 'mnist t10k', n: test.count },
      judge: { path: judgeBase, sha256: judge.header.sha256, test_accuracy: judge.header.test_accuracy },
      rows,
    };
    makeFolders(dirname(flags.json), '--json');
    writeFileAtomic(flags.json, JSON.stringify(report, null, 2) + '\n');
  }
  return 0;
}
