/**
 * One row of `dgan eval`: an image set judged against the reference (MNIST
 * test) statistics.
 */
import { type Gaussian, classStats, frechetDistance, meanCov } from './frechet.js';
import type { Judgement } from './judge.js';
import { JUDGE_CLASSES } from './judge.js';

export interface EvalRow {
  set: string;
  n: number;
  /** Fréchet distance of the judge's features to the reference set's. */
  fd: number;
  inception_score: number;
  confidence: number;
  /** Share of the set per top class 0..9. */
  class_shares: number[];
}

export function gaussianOf(j: Judgement, n: number): Gaussian {
  return meanCov(j.features, n, j.features.length / n);
}

export function evalRow(set: string, j: Judgement, n: number, reference: Gaussian): EvalRow {
  const c = classStats(j.probs, n, JUDGE_CLASSES);
  return { set, n, fd: frechetDistance(gaussianOf(j, n), reference), inception_score: c.inceptionScore, confidence: c.confidence, class_shares: [...c.shares] };
}

/** A fixed-width text table, one line per row. */
export function formatRows(rows: EvalRow[]): string {
  const setWidth = Math.max(3, ...rows.map((r) => r.set.length));
  const head = `${'set'.padEnd(setWidth)}  ${'n'.padStart(6)}  ${'FD'.padStart(9)}  ${'IS'.padStart(5)}  ${'conf'.padStart(5)}  top-class shares 0..9 (%)`;
  const lines = rows.map(
    (r) =>
      `${r.set.padEnd(setWidth)}  ${String(r.n).padStart(6)}  ${r.fd.toFixed(3).padStart(9)}  ${r.inception_score.toFixed(2).padStart(5)}  ${r.confidence.toFixed(3).padStart(5)}  ` +
      r.class_shares.map((s) => (100 * s).toFixed(0).padStart(4)).join(''),
  );
  return [head, ...lines].join('\n');
}
