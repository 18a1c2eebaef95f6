import test from 'ava';
import { reduceShards, slices, sumLosses } from '../src/dist/allreduce.js';
import type { Phase } from '../src/dist/messages.js';
import type { ReplicaPool } from '../src/dist/pool.js';
import { type Shard, assignShards, microShards } from '../src/dist/shards.js';
import { DEFAULTS } from '../src/config.js';
import { defaultMnistDir, loadMnist } from '../src/data/mnist.js';
import { startReplicas } from '../src/train/replicas.js';
import { freshState } from '../src/train/state.js';
import { maxRelError } from './helpers/fixtures.js';

// ---- Pure policy: how a batch is cut and who computes what ----

test('microShards cuts a batch into contiguous shards of micro_batch rows, the last one short', (t) => {
  t.deepEqual(microShards(128, 32), [
    { index: 0, start: 0, rows: 32 },
    { index: 1, start: 32, rows: 32 },
    { index: 2, start: 64, rows: 32 },
    { index: 3, start: 96, rows: 32 },
  ]);
  t.deepEqual(microShards(100, 32), [
    { index: 0, start: 0, rows: 32 },
    { index: 1, start: 32, rows: 32 },
    { index: 2, start: 64, rows: 32 },
    { index: 3, start: 96, rows: 4 },
  ]);
  // micro_batch is capped at the batch: one shard holding the whole (short) batch.
  t.deepEqual(microShards(5, 64), [{ index: 0, start: 0, rows: 5 }]);
  t.deepEqual(microShards(1, 1), [{ index: 0, start: 0, rows: 1 }]);

  // Whatever the sizes: indices 0..n-1, contiguous, covering every row once.
  for (const [rows, micro] of [[1, 7], [7, 1], [24, 8], [100, 8], [127, 64], [60000, 64]]) {
    const shards = microShards(rows, micro);
    t.is(shards.length, Math.ceil(rows / Math.min(micro, rows)), `${rows}/${micro}`);
    let next = 0;
    shards.forEach((s, i) => {
      t.is(s.index, i);
      t.is(s.start, next);
      t.true(s.rows >= 1 && s.rows <= micro);
      if (i < shards.length - 1) t.is(s.rows, Math.min(micro, rows));
      next += s.rows;
    });
    t.is(next, rows, `${rows}/${micro} covers the batch`);
  }
});

test('assignShards gives each worker one contiguous, balanced block; extra workers get none', (t) => {
  const shards = microShards(100, 8); // 13 shards
  t.is(shards.length, 13);
  for (const workers of [1, 2, 3, 4, 5, 13]) {
    const blocks = assignShards(shards, workers);
    t.is(blocks.length, workers);
    t.deepEqual(blocks.flat(), shards, `${workers} workers: all shards, in order, once`);
    const sizes = blocks.map((b) => b.length);
    t.true(Math.max(...sizes) - Math.min(...sizes) <= 1, `${workers} workers balanced: ${sizes}`);
    for (const b of blocks) b.forEach((s, i) => i > 0 && t.is(s.index, b[i - 1].index + 1));
  }
  t.deepEqual(assignShards(shards, 2).map((b) => b.map((s) => s.index)), [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11, 12]]);
  t.deepEqual(assignShards(microShards(24, 8), 3).map((b) => b.map((s) => s.index)), [[0], [1], [2]]);

  // More workers than shards: only as many blocks as shards, one shard each.
  const three = microShards(24, 8);
  const blocks = assignShards(three, 8);
  t.is(blocks.length, 3);
  t.deepEqual(blocks, three.map((s) => [s]));
  t.deepEqual(assignShards(microShards(4, 8), 4), [[{ index: 0, start: 0, rows: 4 }]]);
});

test('reduceShards of all-ones gradients from k shards gives k', (t) => {
  for (const k of [1, 2, 3, 7]) {
    const out = new Float32Array(1000);
    t.true(reduceShards(Array.from({ length: k }, () => new Float32Array(1000).fill(1)), out));
    t.true(out.every((v) => v === k), `k=${k}`);
  }
});

test('reduceShards adds in shard order, whatever the slicing: slices give the same bits as the whole', (t) => {
  // Values of very different magnitudes, so that float32 addition order matters.
  const n = 4096, k = 5;
  let x = 1;
  const parts = Array.from({ length: k }, () =>
    Float32Array.from({ length: n }, () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x / 2 ** 32 - 0.5) * 10 ** ((x % 9) - 4);
    }),
  );
  const whole = new Float32Array(n);
  reduceShards(parts, whole);
  // The order matters at all: adding from the last shard down changes some bits.
  const reversed = parts[k - 1].slice();
  for (let s = k - 2; s >= 0; s--) for (let i = 0; i < n; i++) reversed[i] += parts[s][i];
  t.false(Buffer.from(reversed.buffer).equals(Buffer.from(whole.buffer)), 'float32 addition order is visible');

  for (const count of [2, 3, 7]) {
    const sliced = new Float32Array(n);
    for (const [from, to] of slices(n, count)) reduceShards(parts.map((p) => p.slice(from, to)), sliced, from);
    t.true(Buffer.from(sliced.buffer).equals(Buffer.from(whole.buffer)), `${count} slices`);
  }
});

test('reduceShards reports a NaN or an infinity in a sum', (t) => {
  const out = new Float32Array(100);
  const ok = new Float32Array(100).fill(1);
  t.true(reduceShards([ok, ok], out));
  for (const bad of [NaN, Infinity, -Infinity]) {
    const b = ok.slice();
    b[57] = bad;
    t.false(reduceShards([ok, b], out), String(bad));
  }
  // Finite values whose float32 sum overflows are caught too.
  t.false(reduceShards([new Float32Array(4).fill(3e38), new Float32Array(4).fill(3e38)], new Float32Array(4)));
});

test('slices cover [0, size) once, on cache-line boundaries', (t) => {
  for (const [size, parts] of [[1000, 1], [1000, 3], [1_463_297, 8], [10, 4]]) {
    const s = slices(size, parts);
    t.is(s[0][0], 0);
    t.is(s.at(-1)![1], size);
    s.forEach(([from, to], i) => {
      t.true(to > from);
      if (i > 0) t.is(from, s[i - 1][1]);
      if (i > 0) t.is(from % 16, 0);
    });
  }
});

test('sumLosses adds in shard order and refuses a missing shard', (t) => {
  t.deepEqual(sumLosses([{ index: 1, lossSums: [2, 20] }, { index: 0, lossSums: [1, 10] }, { index: 2, lossSums: [3, 30] }]), [6, 60]);
  t.throws(() => sumLosses([{ index: 0, lossSums: [0] }, { index: 2, lossSums: [0] }]), { message: /shard 1 missing/ });
  t.throws(() => sumLosses([{ index: 1, lossSums: [0] }]), { message: /shard 0 missing/ });
});

// ---- Real replicas: the reduced gradient does not depend on the worker count ----

const data = loadMnist(defaultMnistDir(), 'train', { shared: true });
// micro_batch 32 sizes the pool's shard slots for the 4-shard cases below.
const config = { ...DEFAULTS, train: { ...DEFAULTS.train, micro_batch: 32 } };
const state = freshState(config);

function newPool(workers: number): ReplicaPool {
  return startReplicas(state, data, { workers, backend: 'wasm', stepTimeoutMs: 120_000, maxFailures: 1 });
}

interface Case {
  name: string;
  step: number;
  indices: Int32Array;
  micro: number;
}

// Dataset rows spread over the whole training set, so replicas read the shared images at many places.
const spread = (rows: number, from: number) => Int32Array.from({ length: rows }, (_, i) => (from + i * 467) % data.count);
const CASES: Case[] = [
  { name: 'full batch 128 in 4 shards of 32', step: 3, indices: spread(128, 0), micro: 32 },
  { name: 'uneven batch 100 in shards 32,32,32,4', step: 11, indices: spread(100, 5), micro: 32 },
];

/**
 * The all-reduced gradient and loss sums of one phase, as trainStep forms the
 * tasks. The update reads buffer 0 and writes buffer 1 (t = 1), so it can be
 * repeated on unchanged parameters.
 */
async function reduced(pool: ReplicaPool, c: Case, phase: Phase, shards: Shard[] = microShards(c.indices.length, c.micro)) {
  const outcome = await pool.phase(
    { kind: 'phase', phase, step: c.step, batchRows: c.indices.length, indices: phase === 'D' ? c.indices : null, versions: { g: 0, d: 0 } },
    shards,
  );
  if (outcome.lossSums.length !== shards.length) throw new Error(`pool returned ${outcome.lossSums.length} shard results, expected ${shards.length}`);
  const net = phase === 'D' ? 'd' : 'g';
  await pool.update(net, { frames: outcome.frames, t: 1, lr: 1e-3, hyper: config.optim.d });
  return { grad: pool.shared(net).grad.slice(), lossSums: sumLosses(outcome.lossSums) };
}

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** All phase results for one worker count: key `${case} ${phase}`. */
async function allResults(workers: number) {
  const pool = newPool(workers);
  try {
    const out = new Map<string, { grad: Float32Array; lossSums: number[] }>();
    for (const c of CASES) for (const phase of ['D', 'G'] as const) out.set(`${c.name} ${phase}`, await reduced(pool, c, phase));
    return out;
  } finally {
    await pool.close();
  }
}

test.serial('all-reduced D and G gradients from 2 and 3 replicas equal 1 replica bit for bit (full and uneven batches)', async (t) => {
  t.timeout(240_000);
  t.is(microShards(100, 32).at(-1)!.rows, 4);
  const one = await allResults(1);
  for (const [key, r] of one) {
    t.is(r.grad.length, key.endsWith('D') ? state.d.params.length : state.g.params.length, `${key}: gradient size`);
    t.true(r.grad.some((v) => v !== 0), `${key}: gradient not all zero`);
    t.true(r.lossSums.every(Number.isFinite), `${key}: finite losses`);
  }
  for (const workers of [2, 3]) {
    const many = await allResults(workers);
    for (const [key, ref] of one) {
      const got = many.get(key)!;
      t.log(`${workers} workers, ${key}: max rel error ${maxRelError(got.grad, ref.grad, 1e-8).toExponential(2)}`);
      t.true(bytes(got.grad).equals(bytes(ref.grad)), `${workers} workers, ${key}: gradient bits`);
      t.deepEqual(got.lossSums, ref.lossSums, `${workers} workers, ${key}: loss sums`);
    }
  }
});

test.serial('shard gradients carry 1/batch: one shard of 8 rows ≈ two shards of 4 rows', async (t) => {
  t.timeout(120_000);
  const pool = newPool(2);
  t.teardown(() => pool.close());
  const c: Case = { name: '8 rows', step: 5, indices: spread(8, 42), micro: 8 };
  for (const phase of ['D', 'G'] as const) {
    const whole = await reduced(pool, c, phase, [{ index: 0, start: 0, rows: 8 }]);
    const halves = await reduced(pool, c, phase, microShards(8, 4));
    const err = maxRelError(halves.grad, whole.grad, 1e-4);
    t.log(`${phase}: 1×8 vs 2×4 max rel error ${err.toExponential(2)}`);
    // Were each shard scaled by 1/its own rows, two halves would sum to twice the whole.
    t.true(err < 1e-4, `${phase} gradients: max rel error ${err}`);
    whole.lossSums.forEach((l, k) => t.true(Math.abs(halves.lossSums[k] - l) <= 1e-5 * Math.abs(l), `${phase} loss sum ${k}: ${halves.lossSums[k]} vs ${l}`));
  }
});
