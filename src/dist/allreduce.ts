/**
 * All-reduce of micro-shard gradients, as a reduce-scatter: each replica sums
 * one slice of the parameter vector over all shards, then applies Adam to
 * that slice (see pool.update). The coordinator only copies the frames into
 * the shard slots.
 *
 * Order: for every element, shard 0 + shard 1 + shard 2 + … with a float32
 * rounding after each add — always by shard index, never by arrival or by
 * slice, so the sums (not associative) have the same bits for any worker
 * count. Each shard's gradient already carries the 1/batch factor, so the sum
 * is the gradient of the batch mean, weighted by shard size.
 * Cost: (shards − 1) × parameters additions, spread over the replicas.
 *
 *   shard slots   s0: ████████   s1: ████████   s2: ████████
 *   replica 0 sums positions [0, n/2), replica 1 sums [n/2, n) — in parallel.
 */

/** out[i] = slots[0][i] + slots[1][i] + … for i in [from, to); slots are consecutive blocks of `size`. */
export function reduceShards(slots: Float32Array, size: number, shards: number, out: Float32Array, from = 0, to = size): void {
  for (let i = from; i < to; i++) {
    let sum = slots[i];
    for (let k = 1; k < shards; k++) sum = Math.fround(sum + slots[k * size + i]);
    out[i] = sum;
  }
}

/** Whether values[from, to) are all finite: a NaN or infinity must stop the run, not poison the parameters. */
export function allFinite(values: Float32Array, from = 0, to = values.length): boolean {
  let probe = 0;
  for (let i = from; i < to; i++) probe += values[i] * 0; // NaN as soon as one value is NaN or ±∞
  return probe === 0;
}

/** Loss sums of a phase, added in shard order. */
export function sumLosses(perShard: { index: number; lossSums: number[] }[]): number[] {
  const ordered = [...perShard].sort((a, b) => a.index - b.index);
  ordered.forEach((r, i) => {
    if (r.index !== i) throw new Error(`shard ${i} missing from the reduction (got ${ordered.map((o) => o.index).join(',')})`);
  });
  return ordered.slice(1).reduce((acc, r) => acc.map((l, k) => l + r.lossSums[k]), [...ordered[0].lossSums]);
}

/** Splits [0, size) into `parts` contiguous slices, boundaries on multiples of 16 floats (one cache line). */
export function slices(size: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let w = 0; w < parts; w++) {
    const from = Math.min(size, Math.ceil((w * size) / parts / 16) * 16);
    const to = w === parts - 1 ? size : Math.min(size, Math.ceil(((w + 1) * size) / parts / 16) * 16);
    if (to > from) out.push([from, to]);
  }
  return out;
}
