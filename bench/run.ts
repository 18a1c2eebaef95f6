/**
 * The real-step benchmark: `trainStep` with a `ReplicaPool` (both phases, the
 * all-reduce and Adam, exactly as `dgan train` runs them) on consecutive
 * batches of epoch 0's order of the real MNIST images, untimed warm-up steps
 * first, then timed steps.
 */
import type { BackendName } from '../src/backend.js';
import type { Config } from '../src/config.js';
import { batchIndices, epochOrder } from '../src/data/batches.js';
import type { ImageSet } from '../src/data/mnist.js';
import { UserError } from '../src/errors.js';
import { startReplicas } from '../src/train/replicas.js';
import { freshState } from '../src/train/state.js';
import { trainStep } from '../src/train/step.js';
import { RssSampler, median } from './stats.js';

export interface Measurement {
  /** Wall time of each timed step, ms. */
  stepMs: number[];
  /** Median of stepMs. */
  msPerStep: number;
  /** Median over the timed steps of 1 − computeMs/ms: the share of a step spent outside the replicas' compute. Null where there are no replicas. */
  overheadShare: number | null;
  /** Peak resident memory of the whole process during the row (warm-up included), bytes. */
  rssBytes: number;
  /** Largest memory any replica reported (its JS heap + backend heap), bytes; null where there are no replicas. */
  workerBytes: number | null;
  /** Losses of the last step, to show the steps did real work. */
  dLoss: number;
  gLoss: number;
}

export interface RealBenchOptions {
  backend: BackendName;
  workers: number;
  config: Config;
  /** Training images, SharedArrayBuffer-backed (loadMnist with shared: true). */
  data: ImageSet;
  warmup: number;
  steps: number;
  /** A replica silent this long fails the row; default 10 minutes. */
  stepTimeoutMs?: number;
}

/** Full batches in one epoch of `count` images: the bench never times the short last batch. */
export function fullBatches(count: number, batchSize: number): number {
  const n = Math.floor(count / batchSize);
  if (n < 1) throw new UserError(`the data has ${count} images, fewer than one batch of ${batchSize}`);
  return n;
}

export async function benchReal(opts: RealBenchOptions): Promise<Measurement> {
  const { config, data, workers, backend } = opts;
  const { batch_size: batchSize, seed, shuffle } = config.train;
  const batches = fullBatches(data.count, batchSize);
  const order = epochOrder(data.count, seed, 0, shuffle);
  const state = freshState(config);
  const rss = new RssSampler();
  const pool = startReplicas(state, data, {
    workers,
    backend,
    stepTimeoutMs: opts.stepTimeoutMs ?? 600_000,
    maxFailures: 1, // a failing replica fails the row: a retried step would not time the real step
  });

  const stepMs: number[] = [];
  const overhead: number[] = [];
  let workerBytes = 0;
  let last = { dLoss: NaN, gLoss: NaN };
  let rssBytes = 0;
  try {
    for (let i = 0; i < opts.warmup + opts.steps; i++) {
      const batch = i % batches;
      state.position = { epoch: 0, batch, step: i };
      const s = await trainStep(pool, state, batchIndices(order, batchSize, batch));
      rss.sample();
      workerBytes = Math.max(workerBytes, s.replicaBytes);
      last = { dLoss: s.dLoss, gLoss: s.gLoss };
      if (i < opts.warmup) continue;
      stepMs.push(s.ms);
      overhead.push(Math.min(1, Math.max(0, 1 - s.computeMs / s.ms)));
    }
  } finally {
    rssBytes = rss.stop(); // before close: a closing pool frees its threads' memory
    await pool.close();
  }
  return {
    stepMs,
    msPerStep: median(stepMs),
    overheadShare: median(overhead),
    rssBytes,
    workerBytes,
    ...last,
  };
}
