/**
 * The image sets `dgan eval` measures besides G's: real MNIST and uniform
 * noise, row-major [n, pixels] in [−1, 1] like G's output.
 */
import { fillUniform, streamKey } from '../rng.js';

/** A purpose number of its own, beyond rng.ts's Purpose, so noise never shares a stream with training. */
const EVAL_NOISE = 101;

/** Images [first, first + count) of a byte set, 0..255 → [−1, 1] exactly as training scales them (realImages). */
export function unitImages(bytes: Uint8Array, pixels: number, first: number, count: number): Float32Array {
  const out = new Float32Array(count * pixels);
  const src = bytes.subarray(first * pixels, (first + count) * pixels);
  for (let i = 0; i < src.length; i++) out[i] = Math.fround(src[i] / 255) * 2 - 1;
  return out;
}

/** n images of independent U(−1, 1) pixels: the far end of the scale. */
export function noiseImages(n: number, pixels: number, seed: number): Float32Array {
  const out = new Float32Array(n * pixels);
  fillUniform(out, streamKey(seed, EVAL_NOISE), -1, 1);
  return out;
}
