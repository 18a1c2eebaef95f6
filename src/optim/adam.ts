/**
 * Adam with PyTorch's semantics (torch.optim.Adam, no weight decay):
 *   m ← β1·m + (1−β1)·g        v ← β2·v + (1−β2)·g²
 *   p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + ε)
 * ε is added after bias correction, unlike tfjs's Adam (which also defaults ε to 1e-7).
 * One pass over flat arrays; arithmetic in float64, results stored as float32.
 */

export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  /** Updates applied so far. */
  t: number;
}

export interface AdamHyper {
  betas: [number, number];
  eps: number;
}

export function adamState(size: number): AdamState {
  return { m: new Float32Array(size), v: new Float32Array(size), t: 0 };
}

/** Applies one update in place. `gradScale` multiplies the gradient first (1 when it is already a mean). */
export function adamStep(params: Float32Array, grad: Float32Array, state: AdamState, lr: number, hyper: AdamHyper, gradScale = 1): void {
  const [b1, b2] = hyper.betas;
  const t = ++state.t;
  const stepSize = lr / (1 - b1 ** t);
  const invSqrtBias2 = 1 / Math.sqrt(1 - b2 ** t);
  const { m, v } = state;
  const eps = hyper.eps;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i] * gradScale;
    const mi = (m[i] = b1 * m[i] + (1 - b1) * g);
    const vi = (v[i] = b2 * v[i] + (1 - b2) * g * g);
    params[i] -= (stepSize * mi) / (Math.sqrt(vi) * invSqrtBias2 + eps);
  }
}
