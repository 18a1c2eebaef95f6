/**
 * All-reduce of micro-shard gradients, as a reduce-scatter: each replica sums
 * one slice of the parameter vector over all shards' frames, then applies
 * Adam to that slice (see pool.update). The coordinator moves no gradient
 * bytes at all.
 *
 * Order: for every element, shard 0 + shard 1 + shard 2 + … with a float32
 * rounding after each add — always by shard index, never by arrival or by
 * slice, so the sums (not associative) have the same bits for any worker
 * count. Each shard's gradient already carries the 1/batch factor, so the sum
 * is the gradient of the batch mean, weighted by shard size.
 * Cost: (shards − 1) × parameters additions, spread over the replicas.
 *
 *   shard frames  s0: ████████   s1: ████████   s2: ████████
 *   replica 0 sums positions [0, n/2), replica 1 sums [n/2, n) — in parallel.
 */

/**
 * out[from + j] = parts[0][j] + parts[1][j] + … (one part per shard, in shard
 * order, each holding the slice [from, from + n)), a float32 rounding after
 * each add. Returns false when a sum is NaN or infinite: that must stop the
 * run, not poison the parameters.
 */
export function reduceShards(parts: Float32Array[], out: Float32Array, from = 0): boolean {
  const sum = out.subarray(from, from + parts[0].length);
  sum.set(parts[0]);
  for (let k = 1; k < parts.length; k++) addInto(sum, parts[k]);
  return allFinite(sum);
}

// One simple loop per shard: a JIT keeps it tight, unlike a loop over shards inside a loop over elements.
function addInto(sum: Float32Array, part: Float32Array): void {
  for (let j = 0; j < sum.length; j++) sum[j] += part[j];
}

function allFinite(values: Float32Array): boolean {
  let probe = 0;
  for (let j = 0; j < values.length; j++) probe += values[j] * 0; // NaN as soon as one value is NaN or ±∞
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
