/**
 * Fresh digits from a trained G, in the calling thread: z drawn from the
 * `sample` streams (one per image, keyed by its index), G in eval mode.
 * Image i is the same whatever n or the chunk size, so `--n 8` gives the
 * first 8 images of `--n 64` with the same seed.
 */
import { type ModelConfig, imagePixels } from '../config.js';
import { Purpose } from '../rng.js';
import { generate } from './gan.js';
import { generatorSpec } from './layout.js';
import { disposeNet, uploadNet } from './mlp.js';
import { latents, sampleKeys } from './noise.js';

/** The z of images [first, first + rows), [z_dim, rows]. */
export function sampleLatents(seed: number, zDim: number, first: number, rows: number): Float32Array {
  return latents(sampleKeys(seed, Purpose.sample, 0, first, rows), zDim);
}

/** n images, row-major [n, pixels] in [−1, 1]; a tfjs backend must be active. */
export function sampleImages(gParams: Float32Array, model: ModelConfig, n: number, seed: number, chunk = 1024): Float32Array {
  const pixels = imagePixels(model);
  const out = new Float32Array(n * pixels);
  const G = uploadNet(generatorSpec(model), gParams);
  try {
    for (let first = 0; first < n; first += chunk) {
      const rows = Math.min(chunk, n - first);
      out.set(generate(G, sampleLatents(seed, model.z_dim, first, rows), rows, model.leaky_slope), first * pixels);
    }
  } finally {
    disposeNet(G);
  }
  return out;
}
