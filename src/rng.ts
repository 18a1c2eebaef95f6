/**
 * Counter-based random streams. A value is a pure function of
 * (seed, purpose, a, b, counter): nothing depends on call order, thread or
 * worker count, so any replica can regenerate any sample's z or dropout mask.
 */

/** What a stream is for; part of every key so that streams never overlap. */
export const Purpose = {
  init: 1,
  order: 2,
  zD: 3, // z of the fake half of the D phase
  zG: 4, // z' of the G phase
  dropGinD: 5, // G's dropout masks in the D phase
  dropDReal: 6, // D's masks on real rows, D phase
  dropDFake: 7, // D's masks on fake rows, D phase
  dropGinG: 8, // G's masks in the G phase
  dropDinG: 9, // D's masks in the G phase
  fixedZ: 10,
  sample: 11,
} as const;

// lowbias32 (Wellons): a well-mixed 32-bit bijection.
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The key of one stream: seed and coordinates hashed together. */
export function streamKey(seed: number, purpose: number, a = 0, b = 0): number {
  let h = mix32(seed >>> 0 ^ 0x9e3779b9);
  h = mix32(h ^ Math.imul(purpose, 0x85ebca6b));
  h = mix32(h ^ (a >>> 0));
  h = mix32(h ^ Math.imul(b >>> 0, 0xc2b2ae35) ^ 0x27d4eb2f);
  return h;
}

/** The i-th 32-bit word of a stream. */
export function word(key: number, i: number): number {
  return mix32(mix32(key ^ Math.imul(i, 0x9e3779b9)) + i);
}

/** Uniform in [0, 1) with 32 random bits. */
export function uniform(key: number, i: number): number {
  return word(key, i) / 4294967296;
}

/**
 * Inverted-dropout multipliers: out[off + j·stride] = 0 with probability p,
 * else `keep`, for counters start..start+n of one stream. Same values as
 * `uniform(key, start + j) < p ? 0 : keep`; the hash is inlined because this
 * loop draws a million numbers a step.
 */
export function fillDropout(out: Float32Array, key: number, p: number, keep: number, n: number, off: number, start: number, stride = 1): void {
  const threshold = p * 4294967296;
  for (let j = 0; j < n; j++) {
    const i = start + j;
    let x = key ^ Math.imul(i, 0x9e3779b9);
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d);
    x ^= x >>> 15;
    x = Math.imul(x, 0x846ca68b);
    x ^= x >>> 16;
    x = ((x >>> 0) + i) | 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d);
    x ^= x >>> 15;
    x = Math.imul(x, 0x846ca68b);
    x ^= x >>> 16;
    out[off + j * stride] = x >>> 0 < threshold ? 0 : keep;
  }
}

/** Fills out[off..off+n) with U(lo, hi), counters start..start+n. */
export function fillUniform(out: Float32Array, key: number, lo: number, hi: number, n = out.length, off = 0, start = 0): void {
  const span = hi - lo;
  for (let i = 0; i < n; i++) out[off + i] = lo + span * uniform(key, start + i);
}

/** Fills out[off + i·stride] for i < n with N(0, 1) by Box–Muller, using counters 2i, 2i+1. */
export function fillNormal(out: Float32Array, key: number, n = out.length, off = 0, stride = 1): void {
  for (let i = 0; i < n; i++) {
    const u1 = (word(key, 2 * i) + 0.5) / 4294967296; // (0, 1): log is finite
    const u2 = word(key, 2 * i + 1) / 4294967296;
    out[off + i * stride] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/** A permutation of 0..n-1 (Fisher–Yates driven by one stream). */
export function permutation(n: number, key: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform(key, i) * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
