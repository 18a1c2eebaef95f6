/**
 * One training step on the coordinator: D phase on all replicas → all-reduce
 * and Adam on D; then G phase through the updated D → all-reduce and Adam on G.
 */
import { performance } from 'node:perf_hooks';
import { sumLosses } from '../dist/allreduce.js';
import type { FrameRef, NetName } from '../dist/messages.js';
import type { PhaseOutcome, ReplicaPool } from '../dist/pool.js';
import { adopt } from '../dist/shared.js';
import { microShards } from '../dist/shards.js';
import { lrAt } from '../optim/schedule.js';
import type { TrainState } from './state.js';

export class NonFiniteError extends Error {}

export interface StepStats {
  dLoss: number;
  gLoss: number;
  /** Wall time of the whole step, ms. */
  ms: number;
  /** Sum over both phases of the slowest replica's compute time: the step's critical path in the workers, ms. */
  computeMs: number;
  /** Largest replica memory seen, bytes. */
  replicaBytes: number;
}

/** Parameter versions as replicas see them: the number of Adam updates so far. */
export function versions(state: TrainState): { g: number; d: number } {
  return { g: state.g.adam.t, d: state.d.adam.t };
}

/** All-reduce and Adam of one network, in the replicas; the state then views the new parameters. */
async function update(pool: ReplicaPool, state: TrainState, net: NetName, frames: FrameRef[], loss: number): Promise<void> {
  const name = net.toUpperCase();
  const { step, epoch } = state.position;
  if (!Number.isFinite(loss)) throw new NonFiniteError(`${name} loss is ${loss} at step ${step}`);
  const schedule = state.config.optim[net];
  const t = state[net].adam.t + 1;
  if (!(await pool.update(net, { frames, t, lr: lrAt(schedule, epoch), hyper: schedule }))) {
    throw new NonFiniteError(`${name} gradient is not finite at step ${step}`);
  }
  adopt(state[net], pool.shared(net), t);
}

/** Runs batch `indices` (dataset indices) as step `state.position.step` of epoch `state.position.epoch`. */
export async function trainStep(pool: ReplicaPool, state: TrainState, indices: Int32Array): Promise<StepStats> {
  const t0 = performance.now();
  const batchRows = indices.length;
  const shards = microShards(batchRows, state.config.train.micro_batch);
  const task = { kind: 'phase' as const, step: state.position.step, batchRows };

  const d = await pool.phase({ ...task, phase: 'D', indices, versions: versions(state) }, shards);
  const [real, fake] = sumLosses(d.lossSums);
  const dLoss = (real + fake) / batchRows;
  await update(pool, state, 'd', d.frames, dLoss);

  const g = await pool.phase({ ...task, phase: 'G', indices: null, versions: versions(state) }, shards);
  const gLoss = sumLosses(g.lossSums)[0] / batchRows;
  await update(pool, state, 'g', g.frames, gLoss);

  const slowest = (o: PhaseOutcome) => Math.max(...o.computeMs);
  return {
    dLoss,
    gLoss,
    ms: performance.now() - t0,
    computeMs: slowest(d) + slowest(g),
    replicaBytes: Math.max(d.memoryBytes, g.memoryBytes),
  };
}
