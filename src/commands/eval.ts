/**
 * `dgan eval`: how good a run's G is, measured by a fixed MNIST judge (see
 * src/eval/judge.ts): the Fréchet distance of its features to the MNIST test
 * set's, the Inception score, the judge's confidence and the share of each
 * digit. Two sanity rows frame the number: real training images (the floor,
 * near 0) and uniform noise (far off). Every row has the same n, since the
 * distance's bias depends on it.
 */
import { dirname } from 'node:path';
import { startBackend } from '../backend.js';
import { defaultMnistDir, loadMnist } from '../data/mnist.js';
import { noiseImages, unitImages } from '../eval/images.js';
import { JUDGE_PIXELS } from '../eval/judge.js';
import { type EvalRow, formatRows } from '../eval/metrics.js';
import { checkJudgeFits, openScorer } from '../eval/scorer.js';
import { writeFileAtomic } from '../fsutil.js';
import { checkOutFile, makeFolders } from '../outputs.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { packagePath } from './options.js';

export const EVAL_DEFAULTS = { n: 10_000, seed: 0 };
/** The judge shipped with the repository (bench/train-judge.ts writes it). */
export const DEFAULT_JUDGE = 'judge/mnist-judge';
/** Real images and noise need that many training images at most. */
export const MAX_EVAL_N = 60_000;

export interface EvalFlags {
  checkpoint: string;
  n: number;
  seed: number;
  json?: string;
  judge?: string;
  data?: string;
}

export async function evalCommand(flags: EvalFlags): Promise<number> {
  const state = loadCheckpoint(flags.checkpoint);
  if (flags.json) checkOutFile(flags.json, '--json');
  const { model } = state.config;
  checkJudgeFits(model);
  const judgeBase = flags.judge ?? packagePath(DEFAULT_JUDGE);
  const dir = flags.data ?? defaultMnistDir();
  const train = loadMnist(dir, 'train'), test = loadMnist(dir, 't10k');
  const n = Math.min(flags.n, train.count);

  await startBackend('wasm');
  const scorer = openScorer(judgeBase, test);
  const { judge } = scorer;
  let rows: EvalRow[];
  try {
    rows = [
      scorer.scoreG(`G (step ${state.position.step})`, state.g.params, model, n, flags.seed),
      scorer.score('real (MNIST train)', unitImages(train.images, JUDGE_PIXELS, 0, n), n),
      scorer.score('noise U(-1, 1)', noiseImages(n, JUDGE_PIXELS, flags.seed), n),
    ];
  } finally {
    scorer.close();
  }

  console.log(`dgan: ${flags.checkpoint} at step ${state.position.step}, ${n} images per row (seed ${flags.seed}), against MNIST test (${test.count});` + ` judge ${judgeBase} (test accuracy ${(100 * judge.header.test_accuracy).toFixed(2)}%)`);
  console.log(formatRows(rows));
  if (flags.json) {
    const report = {
      checkpoint: flags.checkpoint,
      step: state.position.step,
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
