/** Starts the replica pool for a training state: its networks move into shared memory. */
import type { BackendName } from '../backend.js';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import type { ImageSet } from '../data/mnist.js';
import { type PoolOptions, ReplicaPool } from '../dist/pool.js';
import { largestSharedBuffer, shareNet } from '../dist/shared.js';
import { microShards } from '../dist/shards.js';
import { discriminatorSpec, generatorSpec } from '../model/layout.js';
import type { TrainState } from './state.js';

export interface ReplicaOptions extends Omit<PoolOptions, 'init'> {
  backend: BackendName;
  fault?: string;
}

/** One SharedArrayBuffer may hold at most this here (V8's typed-array limit, with room to spare). */
const MAX_SHARED_BYTES = 2 ** 31 - 1;

/** Refuses, before anything starts, a config whose shared buffers could not be allocated. */
export function checkSharedMemory(config: Config): void {
  const shards = microShards(config.train.batch_size, config.train.micro_batch).length;
  for (const spec of [generatorSpec(config.model), discriminatorSpec(config.model)]) {
    const bytes = largestSharedBuffer(spec.size, shards);
    if (bytes <= MAX_SHARED_BYTES) continue;
    const gib = (bytes / 2 ** 30).toFixed(1);
    throw new UserError(
      spec.size * 4 > MAX_SHARED_BYTES
        ? `the model is too large: ${spec.name} has ${spec.size} parameters (${gib} GiB); make model sizes smaller`
        : `batch_size ${config.train.batch_size} in micro-shards of ${config.train.micro_batch} needs ${shards} gradient frames of ${spec.name} (${gib} GiB in one buffer); raise train.micro_batch or lower --batch-size`,
    );
  }
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
