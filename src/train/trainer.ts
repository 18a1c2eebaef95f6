/**
 * The coordinator's training loop, top to bottom: data → replicas → steps →
 * samples, checkpoints and logs. The only writer of files.
 */
import { performance } from 'node:perf_hooks';
import type { BackendName } from '../backend.js';
import { imagePixels } from '../config.js';
import type { EvalRow } from '../eval/metrics.js';
import { batchIndices, batchesPerEpoch, epochOrder } from '../data/batches.js';
import { type ImageSet } from '../data/mnist.js';
import { latents, sampleKeys } from '../model/noise.js';
import { ConsoleReporter, lossLine } from '../report/console.js';
import { reportAfterRun } from '../report/page.js';
import { Purpose } from '../rng.js';
import { saveCheckpoint } from './checkpoint.js';
import type { EpochRecord } from './records.js';
import type { RunDir } from './rundir.js';
import { startReplicas } from './replicas.js';
import { type TrainState, noEpochLoss, paramsSha256 } from './state.js';
import { trainStep, versions } from './step.js';

export interface TrainOptions {
  state: TrainState;
  data: ImageSet;
  run: RunDir;
  workers: number;
  backend: BackendName;
  /** Stop once this many steps (batches) are done in total. */
  maxSteps?: number;
  stepTimeoutMs: number;
  maxFailures: number;
  fault?: string;
  reporter?: ConsoleReporter;
  /** Polled at every step boundary: a true stops the run with a checkpoint (SIGINT/SIGTERM). */
  shouldStop?: () => boolean;
  /** Scores G after every `every` epochs and after the last (dgan train --eval-every): the row goes to the log and the console. */
  evaluate?: { every: number; judge: string; score: (state: TrainState) => EvalRow };
}

export type TrainEnd = 'finished' | 'max-steps' | 'interrupted';

export interface Summary {
  end: TrainEnd;
  steps: number;
  epochs: number;
  d_loss: number | null;
  g_loss: number | null;
  images_per_sec: number;
  params_sha256: string;
  workers: number;
  backend: BackendName;
  seconds: number;
}

const FIXED_Z_COUNT = 16;

/** The 16 latent vectors drawn once per run, whose digits are shown after every epoch: [z_dim, 16]. */
export function fixedLatents(config: TrainState['config']): Float32Array {
  return latents(sampleKeys(config.train.seed, Purpose.fixedZ, 0, 0, FIXED_Z_COUNT), config.model.z_dim);
}

export async function train(opts: TrainOptions): Promise<Summary> {
  const { state, data, run, workers, backend } = opts;
  const { config } = state;
  const reporter = opts.reporter ?? new ConsoleReporter();
  const { epochs, batch_size: batchSize, seed, log_every: logEvery } = config.train;
  const batches = batchesPerEpoch(data.count, batchSize);
  const fixedZ = fixedLatents(config);

  const pool = startReplicas(state, data, {
    workers,
    backend,
    stepTimeoutMs: opts.stepTimeoutMs,
    maxFailures: opts.maxFailures,
    onFault: (message) => reporter.line(`warning: ${message}`),
    fault: opts.fault,
  });

  const started = performance.now();
  let stepMs = 0;
  let images = 0;
  let last: { d: number; g: number } | null = null;
  const checkpoint = () => saveCheckpoint(run.path, state);
  const summary = (end: TrainEnd): Summary => ({
    end,
    steps: state.position.step,
    epochs: state.position.epoch + state.position.batch / batches,
    d_loss: last?.d ?? null,
    g_loss: last?.g ?? null,
    images_per_sec: stepMs > 0 ? (images / stepMs) * 1000 : 0,
    params_sha256: paramsSha256(state),
    workers,
    backend,
    seconds: (performance.now() - started) / 1000,
  });

  try {
    const pos = state.position;
    while (pos.epoch < epochs) {
      const order = epochOrder(data.count, seed, pos.epoch, config.train.shuffle);
      const sums = (pos.epochLoss ??= noEpochLoss());
      for (; pos.batch < batches; pos.batch++) {
        if (opts.shouldStop?.()) return await stop('interrupted');
        if (opts.maxSteps !== undefined && pos.step >= opts.maxSteps) return await stop('max-steps');
        const indices = batchIndices(order, batchSize, pos.batch);
        const s = await trainStep(pool, state, indices);
        pos.step++;
        stepMs += s.ms;
        images += indices.length;
        last = { d: s.dLoss, g: s.gLoss };
        sums.d += s.dLoss;
        sums.g += s.gLoss;
        sums.batches++;
        if (pos.batch % logEvery === 0) {
          reporter.line(lossLine({ epoch: pos.epoch, epochs, batch: pos.batch, batches }, s.dLoss, s.gLoss));
          run.log({ type: 'batch', time: new Date().toISOString(), epoch: pos.epoch + 1, epochs, batch: pos.batch, batches, step: pos.step, d_loss: s.dLoss, g_loss: s.gLoss });
        }
        const rate = (images / stepMs) * 1000;
        const toEnd = (epochs - pos.epoch) * batches - pos.batch - 1;
        const remaining = opts.maxSteps === undefined ? toEnd : Math.min(toEnd, opts.maxSteps - pos.step);
        reporter.progress({ epoch: pos.epoch, epochs, batch: pos.batch, batches, imagesPerSec: rate, etaSec: (remaining * batchSize) / rate });
      }
      // End of epoch: the fixed-z digits (G in eval mode), then a checkpoint positioned at the next epoch.
      const grid = run.writeSamples(`epoch-${String(pos.epoch + 1).padStart(3, '0')}`, await pool.generate(fixedZ, FIXED_Z_COUNT, versions(state)), config.model.image_side);
      const sha = paramsSha256(state);
      const record: EpochRecord = { type: 'epoch', time: new Date().toISOString(), epoch: pos.epoch + 1, epochs, step: pos.step, d_loss_mean: sums.batches ? sums.d / sums.batches : null, g_loss_mean: sums.batches ? sums.g / sums.batches : null, params_sha256: sha, samples: grid };
      run.log(record);
      reporter.line(`${lossLine({ epoch: pos.epoch, epochs, batch: batches, batches }, last!.d, last!.g)} | epoch mean d_loss ${record.d_loss_mean?.toFixed(4)} g_loss ${record.g_loss_mean?.toFixed(4)} | params ${sha.slice(0, 16)} | ${grid}`);
      if (opts.evaluate && ((pos.epoch + 1) % opts.evaluate.every === 0 || pos.epoch + 1 === epochs)) {
        const row = opts.evaluate.score(state);
        run.log({ type: 'eval', time: new Date().toISOString(), epoch: pos.epoch + 1, step: pos.step, judge: opts.evaluate.judge, ...row });
        reporter.line(`eval after epoch ${pos.epoch + 1}: FD ${row.fd.toFixed(2)} | IS ${row.inception_score.toFixed(2)} | confidence ${row.confidence.toFixed(3)} (n ${row.n})`);
      }
      pos.epoch++;
      pos.batch = 0;
      pos.epochLoss = noEpochLoss();
      checkpoint();
    }
    return await finish('finished');
  } finally {
    reporter.clear();
    await pool.close();
  }

  /** Mid-epoch stop: the fixed-z digits as they are now, then a checkpoint to resume from. */
  async function stop(end: TrainEnd): Promise<Summary> {
    const atEpochStart = state.position.batch === 0 && state.position.step > 0; // saved by the epoch's end already
    if (atEpochStart) return finish(end);
    run.writeSamples(`step-${String(state.position.step).padStart(6, '0')}`, await pool.generate(fixedZ, FIXED_Z_COUNT, versions(state)), config.model.image_side);
    checkpoint();
    return finish(end);
  }

  async function finish(end: TrainEnd): Promise<Summary> {
    const s = summary(end);
    run.writeJson('summary.json', s);
    await reportAfterRun(run.path, (text) => reporter.line(text)); // report.html, losses.png, progression.png
    return s;
  }
}

/** Images whose size the model does not take are refused before anything starts. */
export function imagesFitModel(data: ImageSet, state: TrainState): string | null {
  const want = imagePixels(state.config.model);
  const got = data.rows * data.cols;
  return got === want ? null : `the data's images are ${data.rows}×${data.cols} but the model takes ${state.config.model.image_side}×${state.config.model.image_side}`;
}
