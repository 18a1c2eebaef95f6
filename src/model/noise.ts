/**
 * The random inputs of a phase — z and dropout masks — generated per sample:
 * row r of step s always gets the same values, whichever worker computes it
 * and however the batch is cut.
 */
import { fillDropout, fillNormal, streamKey } from '../rng.js';
import type { Masks } from './gan.js';
import { type NetSpec, dropoutWidths } from './layout.js';

/** z for rows [first, first+rows) of a batch: [rows, zDim] of N(0, 1). */
export function latents(seed: number, purpose: number, step: number, first: number, rows: number, zDim: number): Float32Array {
  const z = new Float32Array(rows * zDim);
  for (let r = 0; r < rows; r++) fillNormal(z, streamKey(seed, purpose, step, first + r), zDim, r * zDim);
  return z;
}

/**
 * Inverted-dropout multipliers (0 with probability p, else 1/(1−p)) for each
 * dropout layer of `spec`; one stream per row, layers consecutive within it.
 */
export function dropoutMasks(spec: NetSpec, p: number, seed: number, purpose: number, step: number, first: number, rows: number): Masks {
  if (p === 0) return null;
  const keep = Math.fround(1 / (1 - p));
  const widths = dropoutWidths(spec);
  const masks = widths.map((w) => new Float32Array(rows * w));
  for (let r = 0; r < rows; r++) {
    const key = streamKey(seed, purpose, step, first + r);
    let counter = 0;
    widths.forEach((w, k) => {
      fillDropout(masks[k], key, p, keep, w, r * w, counter);
      counter += w;
    });
  }
  return masks;
}

/** Masks of two row blocks stacked (real rows, then fake rows) as one pass expects them. */
export function stackMasks(a: Masks, b: Masks): Masks {
  if (!a || !b) return null;
  return a.map((m, k) => {
    const out = new Float32Array(m.length + b[k].length);
    out.set(m);
    out.set(b[k], m.length);
    return out;
  });
}
