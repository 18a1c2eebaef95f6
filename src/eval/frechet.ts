/**
 * The statistics of `dgan eval`, as plain float64 math: the Fréchet distance
 * between two feature sets (FID's formula over the judge's features) and the
 * Inception score, confidence and class shares from class probabilities.
 *
 * Matrices are row-major Float64Arrays. The judge's feature width is small
 * (≤ 128), so a cyclic Jacobi eigen-solver written here is fast enough and
 * keeps the numbers independent of any backend.
 */

/** Mean [d] and covariance [d, d] (divided by n − 1, as numpy.cov) of the rows of x [n, d]. */
export function meanCov(x: Float64Array, n: number, d: number): { mean: Float64Array; cov: Float64Array } {
  if (x.length !== n * d) throw new RangeError(`meanCov: ${x.length} values are not [${n}, ${d}]`);
  if (n < 2) throw new RangeError('meanCov: a covariance needs at least 2 rows');
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += x[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) row[j] = x[r * d + j] - mean[j];
    for (let i = 0; i < d; i++) {
      const ri = row[i];
      if (ri === 0) continue;
      for (let j = i; j < d; j++) cov[i * d + j] += ri * row[j];
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = cov[i * d + j] / (n - 1);
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
  }
  return { mean, cov };
}

/**
 * Eigen-decomposition of a symmetric [d, d] matrix by cyclic Jacobi
 * rotations: A = V·diag(values)·Vᵀ, eigenvectors in V's columns. Only the
 * upper triangle's symmetry is assumed; `a` is not modified.
 */
export function symmetricEigen(a: Float64Array, d: number, maxSweeps = 100): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(d * d);
  for (let i = 0; i < d; i++) V[i * d + i] = 1;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale += A[i] * A[i];
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += A[p * d + q] ** 2;
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = A[p * d + q];
        if (apq === 0) continue;
        // The rotation that zeroes A[p][q] (Golub & Van Loan, the stable form of t).
        const theta = (A[q * d + q] - A[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < d; k++) {
          // columns p and q
          const akp = A[k * d + p], akq = A[k * d + q];
          A[k * d + p] = c * akp - s * akq;
          A[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          // rows p and q
          const apk = A[p * d + k], aqk = A[q * d + k];
          A[p * d + k] = c * apk - s * aqk;
          A[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = V[k * d + p], vkq = V[k * d + q];
          V[k * d + p] = c * vkp - s * vkq;
          V[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = A[i * d + i];
  return { values, vectors: V };
}

/**
 * The square root of a symmetric positive semi-definite matrix,
 * V·diag(√λ)·Vᵀ. Rounding leaves tiny negative eigenvalues on singular
 * covariances (fewer samples than features, dead units); they are taken as 0.
 */
export function sqrtmPsd(a: Float64Array, d: number): Float64Array {
  const { values, vectors: V } = symmetricEigen(a, d);
  const root = values.map((v) => Math.sqrt(Math.max(v, 0)));
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += V[i * d + k] * root[k] * V[j * d + k];
      out[i * d + j] = s;
      out[j * d + i] = s;
    }
  }
  return out;
}

function matMul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      if (aik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j] += aik * b[k * d + j];
    }
  }
  return out;
}

export interface Gaussian {
  mean: Float64Array;
  cov: Float64Array;
}

/**
 * ‖μ1 − μ2‖² + tr(C1 + C2 − 2·(C1^½·C2·C1^½)^½). The symmetric form of the
 * cross term (rather than scipy's sqrtm(C1·C2), whose argument is not
 * symmetric) lets both roots come from the symmetric solver; the traces agree.
 */
export function frechetDistance(a: Gaussian, b: Gaussian): number {
  const d = a.mean.length;
  if (b.mean.length !== d) throw new RangeError(`frechetDistance: widths ${d} and ${b.mean.length} differ`);
  let dist = 0;
  for (let i = 0; i < d; i++) dist += (a.mean[i] - b.mean[i]) ** 2;
  const s1 = sqrtmPsd(a.cov, d);
  const m = matMul(matMul(s1, b.cov, d), s1, d);
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) m[i * d + j] = m[j * d + i] = (m[i * d + j] + m[j * d + i]) / 2; // rounding's asymmetry
  const cross = symmetricEigen(m, d).values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
  for (let i = 0; i < d; i++) dist += a.cov[i * d + i] + b.cov[i * d + i];
  return Math.max(dist - 2 * cross, 0);
}

export interface ClassStats {
  /** exp(mean over x of KL(p(y|x) ‖ p(y))): 1 (all alike or all unsure) to k (confident and balanced). */
  inceptionScore: number;
  /** Mean over x of max_y p(y|x). */
  confidence: number;
  /** Share of the samples whose top class is y, per class. */
  shares: Float64Array;
}

/** From class probabilities p [n, k] (rows summing to 1). */
export function classStats(p: ArrayLike<number>, n: number, k: number): ClassStats {
  if (p.length !== n * k) throw new RangeError(`classStats: ${p.length} values are not [${n}, ${k}]`);
  const marginal = new Float64Array(k);
  const shares = new Float64Array(k);
  let confidence = 0;
  for (let r = 0; r < n; r++) {
    let top = 0;
    for (let y = 0; y < k; y++) {
      marginal[y] += p[r * k + y] / n;
      if (p[r * k + y] > p[r * k + top]) top = y;
    }
    shares[top] += 1;
    confidence += p[r * k + top] / n;
  }
  for (let y = 0; y < k; y++) shares[y] /= n; // counted, then divided: whole shares come out exact
  let kl = 0;
  for (let r = 0; r < n; r++) {
    for (let y = 0; y < k; y++) {
      const q = p[r * k + y];
      if (q > 0) kl += q * Math.log(q / marginal[y]); // 0·log 0 = 0
    }
  }
  return { inceptionScore: Math.exp(kl / n), confidence, shares };
}
