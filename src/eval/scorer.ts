/**
 * The judge, loaded once with the statistics of the reference set (MNIST
 * test): scores any set of images. Shared by `dgan eval` and by the
 * evaluations `dgan train --eval-every` makes between epochs; a tfjs backend
 * must be active in the calling thread.
 */
import { type ImageSet, type Split, loadMnist } from '../data/mnist.js';
import { UserError } from '../errors.js';
import type { ModelConfig } from '../config.js';
import { imagePixels } from '../config.js';
import * as tf from '@tensorflow/tfjs-core';
import { sampleImages } from '../model/sample.js';
import type { Gaussian } from './frechet.js';
import { unitImages } from './images.js';
import { type Judge, JUDGE_PIXELS, judgeImages, loadJudge } from './judge.js';
import { uploadJudge } from './judge-net.js';
import { type EvalRow, evalRow, gaussianOf } from './metrics.js';

export interface Scorer {
  judge: Judge;
  reference: Gaussian;
  score(set: string, images: Float32Array, n: number): EvalRow;
  /** G's samples (eval mode, the `sample` streams of `seed`), scored. */
  scoreG(set: string, gParams: Float32Array, model: ModelConfig, n: number, seed: number): EvalRow;
  close(): void;
}

export function checkJudgeFits(model: ModelConfig): void {
  if (imagePixels(model) !== JUDGE_PIXELS) throw new UserError(`the judge reads 28×28 images; this run's G draws ${model.image_side}×${model.image_side}`);
}

/** An MNIST split the judge can read: 28×28 images, at least 2 of them (a covariance needs 2). */
export function loadJudgeSet(dir: string, split: Split): ImageSet {
  const set = loadMnist(dir, split);
  if (set.rows * set.cols !== JUDGE_PIXELS) throw new UserError(`${dir}: the ${split} images are ${set.rows}×${set.cols}; the judge reads 28×28 images, give --data an MNIST folder`);
  if (set.count < 2) throw new UserError(`${dir}: the ${split} set holds ${set.count} image; the judge's statistics need at least 2`);
  return set;
}

export function openScorer(judgeBase: string, test: ImageSet): Scorer {
  const judge = loadJudge(judgeBase);
  const net = uploadJudge(judge.layout, judge.params);
  const reference = gaussianOf(judgeImages(net, unitImages(test.images, JUDGE_PIXELS, 0, test.count), test.count), test.count);
  const score = (set: string, images: Float32Array, n: number) => evalRow(set, judgeImages(net, images, n), n, reference);
  return {
    judge,
    reference,
    score,
    scoreG: (set, gParams, model, n, seed) => score(set, sampleImages(gParams, model, n, seed), n),
    close: () => tf.dispose(net),
  };
}
