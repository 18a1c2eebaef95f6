/**
 * One training step on the coordinator: D phase on all replicas → all-reduce
 * → Adam on D; then G phase through the updated D → all-reduce → Adam on G.
 */
import { performance } from 'node:perf_hooks';
import { allFinite, allReduce } from '../dist/allreduce.js';
import type { ReplicaPool } from '../dist/pool.js';
import { microShards } from '../dist/shards.js';
import { adamStep } from '../optim/adam.js';
import { lrAt } from '../optim/schedule.js';
import type { NetState, TrainState } from './state.js';

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

function update(net: NetState, grad: Float32Array, schedule: TrainState['config']['optim']['d'], epoch: number): void {
  adamStep(net.params, grad, net.adam, lrAt(schedule, epoch), schedule);
}

function checkFinite(name: string, step: number, loss: number, grad: Float32Array): void {
  if (!Number.isFinite(loss) || !allFinite(grad)) {
    throw new NonFiniteError(`${name} ${Number.isFinite(loss) ? 'gradient' : `loss (${loss})`} is not finite at step ${step}`);
  }
}

/** Runs batch `indices` (dataset indices) as step `state.position.step` of epoch `state.position.epoch`. */
export async function trainStep(pool: ReplicaPool, state: TrainState, indices: Int32Array): Promise<StepStats> {
  const t0 = performance.now();
  const { step, epoch } = state.position;
  const { config } = state;
  const batchRows = indices.length;
  const shards = microShards(batchRows, config.train.micro_batch);
  const task = { kind: 'phase' as const, step, batchRows };

  const d = await pool.phase({ ...task, phase: 'D', indices, versions: versions(state) }, shards);
  const dReduced = allReduce(d.shards);
  const dLoss = (dReduced.lossSums[0] + dReduced.lossSums[1]) / batchRows;
  checkFinite('D', step, dLoss, dReduced.grad);
  update(state.d, dReduced.grad, config.optim.d, epoch);

  const g = await pool.phase({ ...task, phase: 'G', indices: null, versions: versions(state) }, shards);
  const gReduced = allReduce(g.shards);
  const gLoss = gReduced.lossSums[0] / batchRows;
  checkFinite('G', step, gLoss, gReduced.grad);
  update(state.g, gReduced.grad, config.optim.g, epoch);

  return {
    dLoss,
    gLoss,
    ms: performance.now() - t0,
    computeMs: Math.max(...d.computeMs) + Math.max(...g.computeMs),
    replicaBytes: Math.max(d.memoryBytes, g.memoryBytes),
  };
}
