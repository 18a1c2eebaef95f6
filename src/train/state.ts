/**
 * Everything a run needs to continue exactly: the parameters, the Adam
 * moments and step counts, and the position in the data. Random state is
 * the seed alone, since every stream is keyed by (seed, step, row).
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import { initParams } from '../model/init.js';
import { discriminatorSpec, generatorSpec } from '../model/layout.js';
import { type AdamState, adamState } from '../optim/adam.js';

export interface NetState {
  params: Float32Array;
  adam: AdamState;
}

export interface Position {
  /** The next batch to run: epoch and batch are 0-based, step counts batches done. */
  epoch: number;
  batch: number;
  step: number;
  /**
   * Sums of the losses of this epoch's batches so far, so that the epoch's
   * means cover all of it across a resume. Absent in checkpoints of dgan
   * 0.1.0, whose resumed epochs average from the resume on.
   */
  epochLoss?: EpochLoss;
}

export interface EpochLoss {
  d: number;
  g: number;
  batches: number;
}

export const noEpochLoss = (): EpochLoss => ({ d: 0, g: 0, batches: 0 });

export interface TrainState {
  config: Config;
  position: Position;
  g: NetState;
  d: NetState;
}

export function freshState(config: Config): TrainState {
  const net = (params: Float32Array): NetState => ({ params, adam: adamState(params.length) });
  return {
    config,
    position: { epoch: 0, batch: 0, step: 0, epochLoss: noEpochLoss() },
    g: net(initParams(generatorSpec(config.model), config.train.seed)),
    d: net(initParams(discriminatorSpec(config.model), config.train.seed)),
  };
}

/** sha256 of G's then D's parameters as little-endian float32 bytes: one value to compare runs by. */
export function paramsSha256(state: Pick<TrainState, 'g' | 'd'>): string {
  const hash = createHash('sha256');
  for (const p of [state.g.params, state.d.params]) hash.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return hash.digest('hex');
}
