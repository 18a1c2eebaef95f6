import test from 'ava';
import { classStats, frechetDistance, meanCov, sqrtmPsd, symmetricEigen } from '../src/eval/frechet.js';

const close = (t: any, actual: number, expected: number, tol = 1e-9) => t.true(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} vs ${expected}`);

/** n rows of d features, a fixed pseudo-random pattern. */
function pattern(n: number, d: number, seed = 1): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n * d }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s / 2 ** 32 - 0.5));
}

test('meanCov matches numpy.cov on a small matrix worked by hand', (t) => {
  // rows (1,2), (3,6), (5,10): mean (3,6); deviations (-2,-4),(0,0),(2,4); cov = [[8,16],[16,32]]/2
  const { mean, cov } = meanCov(Float64Array.from([1, 2, 3, 6, 5, 10]), 3, 2);
  t.deepEqual([...mean], [3, 6]);
  t.deepEqual([...cov], [4, 8, 8, 16]);
});

test('symmetricEigen reconstructs the matrix and finds known eigenvalues', (t) => {
  // [[2,1],[1,2]] has eigenvalues 1 and 3.
  const { values } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
  t.deepEqual([...values].sort().map((v) => Math.round(v * 1e12) / 1e12), [1, 3]);
  const d = 12;
  const { cov } = meanCov(pattern(50, d), 50, d);
  const { values: l, vectors: V } = symmetricEigen(cov, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += V[i * d + k] * l[k] * V[j * d + k];
      close(t, s, cov[i * d + j], 1e-10);
    }
  }
});

test('sqrtmPsd squares back, and clamps the negative rounding of a singular matrix', (t) => {
  const d = 8;
  const { cov } = meanCov(pattern(4, d), 4, d); // rank 3: most eigenvalues are 0 up to rounding
  const r = sqrtmPsd(cov, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += r[i * d + k] * r[k * d + j];
      close(t, s, cov[i * d + j], 1e-8);
    }
  }
  t.true(r.every(Number.isFinite));
});

test('the Fréchet distance of a set to itself is 0', (t) => {
  const d = 16;
  const g = meanCov(pattern(200, d), 200, d);
  close(t, frechetDistance(g, g), 0, 1e-9);
});

test('the Fréchet distance of two diagonal Gaussians is Σ(Δμ)² + Σ(σ1 − σ2)²', (t) => {
  const mu1 = [0, 1, -2, 0.5], mu2 = [1, 1, 0, -0.5];
  const s1 = [1, 2, 0.5, 3], s2 = [2, 2, 1.5, 0.1];
  const diag = (s: number[]) => Float64Array.from({ length: 16 }, (_, k) => (k % 5 === 0 ? s[k / 5] ** 2 : 0));
  const expected = mu1.reduce((a, m, i) => a + (m - mu2[i]) ** 2, 0) + s1.reduce((a, s, i) => a + (s - s2[i]) ** 2, 0);
  const fd = frechetDistance({ mean: Float64Array.from(mu1), cov: diag(s1) }, { mean: Float64Array.from(mu2), cov: diag(s2) });
  close(t, fd, expected, 1e-12);
});

test('the Fréchet distance is symmetric on full covariances', (t) => {
  const d = 10;
  const a = meanCov(pattern(100, d, 3), 100, d), b = meanCov(pattern(60, d, 7).map((v) => 2 * v + 0.1), 60, d);
  const ab = frechetDistance(a, b), ba = frechetDistance(b, a);
  t.true(ab > 0);
  close(t, ab, ba, 1e-9);
});

test('Inception score: a uniform classifier scores 1, a confident balanced one scores k', (t) => {
  const k = 10, n = 50;
  const uniform = classStats(new Float64Array(n * k).fill(1 / k), n, k);
  close(t, uniform.inceptionScore, 1);
  close(t, uniform.confidence, 1 / k);
  const onehot = Float64Array.from({ length: n * k }, (_, i) => (i % k === Math.floor(i / k) % k ? 1 : 0));
  const sure = classStats(onehot, n, k);
  close(t, sure.inceptionScore, k);
  close(t, sure.confidence, 1);
  t.deepEqual([...sure.shares].map((s) => Math.round(s * 1e12) / 1e12), new Array(k).fill(0.1));
});

test('Inception score: confident but all one class scores 1', (t) => {
  const k = 4, n = 6;
  const one = Float64Array.from({ length: n * k }, (_, i) => (i % k === 2 ? 1 : 0));
  const s = classStats(one, n, k);
  close(t, s.inceptionScore, 1);
  t.deepEqual([...s.shares], [0, 0, 1, 0]);
});
