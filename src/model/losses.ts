/**
 * Binary cross-entropy on logits, in the stable form
 *   ℓ(x, y) = max(x, 0) − x·y + log(1 + e^−|x|),   dℓ/dx = σ(x) − y.
 * Logits are few (one per image), so this runs in plain float64 JS.
 */

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function bceWithLogits(x: number, target: number): number {
  return Math.max(x, 0) - x * target + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * Sums ℓ over logits[from, to) with one target and writes scale·dℓ/dx into
 * grad at the same positions; scale is 1/batch so that shard gradients add up
 * to the gradient of the batch mean.
 */
export function bceSumAndGrad(logits: Float32Array, target: number, scale: number, grad: Float32Array, from = 0, to = logits.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) {
    sum += bceWithLogits(logits[i], target);
    grad[i] = scale * (sigmoid(logits[i]) - target);
  }
  return sum;
}

export function meanBce(logits: ArrayLike<number>, target: number): number {
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += bceWithLogits(logits[i], target);
  return sum / logits.length;
}
