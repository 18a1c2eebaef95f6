/**
 * How a batch is cut and who computes what: pure policy, no threads.
 *
 * A batch is always cut into the same micro-shards of `microBatch` rows (the
 * last may be short), whatever the number of workers. Each micro-shard's
 * gradient is computed whole by one worker, so it has the same bits on any
 * worker; the all-reduce then adds them in shard order. Hence the worker
 * count changes the speed, never the result.
 */

export interface Shard {
  index: number;
  /** Rows [start, start + rows) of the batch. */
  start: number;
  rows: number;
}

export function microShards(batchRows: number, microBatch: number): Shard[] {
  const size = Math.min(microBatch, batchRows);
  const shards: Shard[] = [];
  for (let start = 0, index = 0; start < batchRows; start += size, index++) {
    shards.push({ index, start, rows: Math.min(size, batchRows - start) });
  }
  return shards;
}

/** Contiguous, balanced blocks of shards, one per worker; workers beyond the shard count get none. */
export function assignShards(shards: Shard[], workers: number): Shard[][] {
  const blocks: Shard[][] = [];
  for (let w = 0; w < workers; w++) {
    const from = Math.floor((w * shards.length) / workers);
    const to = Math.floor(((w + 1) * shards.length) / workers);
    if (to > from) blocks.push(shards.slice(from, to));
  }
  return blocks;
}
