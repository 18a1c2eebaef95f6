/**
 * The random inputs of a phase — z and dropout masks — drawn per sample:
 * each sample (column) has its own stream, keyed by what it is for, the step
 * and its row in the batch. So a sample gets the same values whichever worker
 * computes it and however the batch is cut. Layouts are feature-major
 * ([features, samples]), as the model takes them.
 */
import { fillDropout, fillNormal, streamKey } from '../rng.js';
import type { Masks } from './gan.js';
import { type NetSpec, dropoutWidths } from './layout.js';

/** Stream keys of rows [first, first + rows) of a batch. */
export function sampleKeys(seed: number, purpose: number, step: number, first: number, rows: number): number[] {
  return Array.from({ length: rows }, (_, r) => streamKey(seed, purpose, step, first + r));
}

/** z ~ N(0, 1), [zDim, samples]. */
export function latents(keys: number[], zDim: number): Float32Array {
  const z = new Float32Array(zDim * keys.length);
  keys.forEach((key, r) => fillNormal(z, key, zDim, r, keys.length));
  return z;
}

/**
 * Inverted-dropout multipliers (0 with probability p, else 1/(1−p)) for each
 * dropout layer of `spec`, each [width, samples]; within a sample's stream the
 * layers take consecutive counters.
 */
export function dropoutMasks(spec: NetSpec, p: number, keys: number[]): Masks {
  if (p === 0) return null;
  const keep = Math.fround(1 / (1 - p));
  const widths = dropoutWidths(spec);
  const n = keys.length;
  const masks = widths.map((w) => new Float32Array(w * n));
  keys.forEach((key, r) => {
    let counter = 0;
    widths.forEach((w, k) => {
      fillDropout(masks[k], key, p, keep, w, r, counter, n);
      counter += w;
    });
  });
  return masks;
}
