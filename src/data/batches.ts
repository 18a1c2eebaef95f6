/**
 * Which images make up each batch, and how a batch's rows become model input.
 * The order of an epoch is a pure function of (seed, epoch), so a resumed run
 * or any replica can recompute it.
 */
import { Purpose, permutation, streamKey } from '../rng.js';

/** Dataset indices in the order epoch `epoch` visits them; the article's loader does not shuffle. */
export function epochOrder(count: number, seed: number, epoch: number, shuffle: boolean): Int32Array {
  if (shuffle) return permutation(count, streamKey(seed, Purpose.order, epoch));
  return Int32Array.from({ length: count }, (_, i) => i);
}

export function batchesPerEpoch(count: number, batchSize: number): number {
  return Math.ceil(count / batchSize);
}

/** The dataset indices of batch `batch` (the last one may be short). */
export function batchIndices(order: Int32Array, batchSize: number, batch: number): Int32Array {
  return order.subarray(batch * batchSize, Math.min((batch + 1) * batchSize, order.length));
}

/**
 * The given images as model input, feature-major [pixels, images]: bytes
 * 0..255 → [0, 1] → [−1, 1], as ToTensor then Normalize(0.5, 0.5).
 */
export function realImages(images: Uint8Array, pixels: number, indices: ArrayLike<number>): Float32Array {
  const n = indices.length;
  const out = new Float32Array(n * pixels);
  for (let r = 0; r < n; r++) {
    const src = indices[r] * pixels;
    for (let p = 0; p < pixels; p++) out[p * n + r] = Math.fround(images[src + p] / 255) * 2 - 1;
  }
  return out;
}
