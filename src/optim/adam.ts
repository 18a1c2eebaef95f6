/**
 * Adam with PyTorch's semantics (torch.optim.Adam, no weight decay):
 *   m ← β1·m + (1−β1)·g        v ← β2·v + (1−β2)·g²
 *   p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + ε)
 * ε is added after bias correction, unlike tfjs's Adam (which also defaults ε to 1e-7).
 * One pass over flat arrays, element by element, so any slicing of [0, n)
 * gives the same bits; arithmetic in float64, results stored as float32.
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

/** Parameters and moments as one update reads or writes them. */
export interface AdamBuffers {
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

export function adamState(size: number): AdamState {
  return { m: new Float32Array(size), v: new Float32Array(size), t: 0 };
}

/**
 * Update number t (1-based) over positions [from, to): reads `src`, writes
 * `dst`. They may be the same buffers; kept apart, a failed update can be
 * run again from unchanged inputs.
 */
export function adamUpdate(src: AdamBuffers, dst: AdamBuffers, grad: Float32Array, t: number, lr: number, hyper: AdamHyper, from = 0, to = grad.length): void {
  const [b1, b2] = hyper.betas;
  const stepSize = lr / (1 - b1 ** t);
  const invSqrtBias2 = 1 / Math.sqrt(1 - b2 ** t);
  const eps = hyper.eps;
  const a1 = 1 - b1, a2 = 1 - b2;
  const { params: p0, m: m0, v: v0 } = src;
  const { params: p1, m: m1, v: v1 } = dst;
  for (let i = from; i < to; i++) {
    const g = grad[i];
    const m = Math.fround(b1 * m0[i] + a1 * g); // rounded as stored: float32 state, like PyTorch's
    const v = Math.fround(b2 * v0[i] + a2 * g * g);
    m1[i] = m;
    v1[i] = v;
    p1[i] = p0[i] - (stepSize * m) / (Math.sqrt(v) * invSqrtBias2 + eps);
  }
}
