/** Starts the replica pool for a training state: its networks move into shared memory. */
import type { BackendName } from '../backend.js';
import type { ImageSet } from '../data/mnist.js';
import { type PoolOptions, ReplicaPool } from '../dist/pool.js';
import { shareNet } from '../dist/shared.js';
import { microShards } from '../dist/shards.js';
import { discriminatorSpec, generatorSpec } from '../model/layout.js';
import type { TrainState } from './state.js';

export interface ReplicaOptions extends Omit<PoolOptions, 'init'> {
  backend: BackendName;
  fault?: string;
}

export function startReplicas(state: TrainState, data: ImageSet, opts: ReplicaOptions): ReplicaPool {
  const { config } = state;
  const maxShards = microShards(config.train.batch_size, config.train.micro_batch).length;
  const { backend, fault, ...pool } = opts;
  return new ReplicaPool({
    ...pool,
    init: {
      backend,
      model: config.model,
      seed: config.train.seed,
      realLabel: config.train.real_label,
      images: data.images,
      nets: {
        g: shareNet(generatorSpec(config.model), state.g, maxShards),
        d: shareNet(discriminatorSpec(config.model), state.d, maxShards),
      },
      fault,
    },
  });
}
