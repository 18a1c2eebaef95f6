/**
 * Bit-identical training through the real CLI: the params_sha256 of
 * summary.json depends on the seed alone, not on the worker count or on a
 * stop and resume. Tiny model; 100 images in batches of 24 with micro_batch
 * 8 make an epoch of 5 batches (24, 24, 24, 24, 4), so 7 steps include the
 * uneven batch, an epoch boundary and steps of the second epoch.
 */
import test from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type SummaryJson, describe, limited, readLog, readSummary, runCli, tempDir, writeConfig, writeMnistSubset } from './helpers/tiny.js';

const STEPS = 7;
const dir = tempDir('dgan-repro-');
const data = writeMnistSubset(join(dir, 'data'), 100);
const config = writeConfig(dir, { train: { batch_size: 24, micro_batch: 8, seed: 3 } });
let runs = 0;
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** One `dgan train` into a fresh run directory; throws (failing the test) unless it exits 0. */
async function train(args: string[]): Promise<{ out: string; summary: SummaryJson }> {
  const out = join(dir, `run-${++runs}`);
  const r = await runCli(['train', '--data', data, '--config', config, '--out', out, ...args]);
  if (r.code !== 0) throw new Error(`dgan train ${args.join(' ')}: ${describe(r)}`);
  return { out, summary: readSummary(out) };
}

test.serial('the same seed gives the same parameters; another seed, others', async (t) => {
  const [a, b, c] = await limited(3, [
    () => train(['--max-steps', `${STEPS}`, '--workers', '1']),
    () => train(['--max-steps', `${STEPS}`, '--workers', '1']),
    () => train(['--max-steps', `${STEPS}`, '--workers', '1', '--seed', '4']),
  ]);
  for (const s of [a, b, c]) t.is(s.summary.steps, STEPS);
  t.regex(a.summary.params_sha256, /^[0-9a-f]{64}$/);
  t.is(a.summary.params_sha256, b.summary.params_sha256);
  t.is(a.summary.d_loss, b.summary.d_loss);
  t.is(a.summary.g_loss, b.summary.g_loss);
  t.not(c.summary.params_sha256, a.summary.params_sha256);
});

test.serial('1, 2, 3 and 4 workers give the same parameters bit for bit', async (t) => {
  // 3 shards per full batch, 1 in the last: 4 workers leave some idle.
  const results = await limited(2, [1, 2, 3, 4].map((w) => () => train(['--max-steps', `${STEPS}`, '--workers', `${w}`])));
  results.forEach((r, i) => {
    t.is(r.summary.workers, i + 1);
    t.is(r.summary.steps, STEPS);
  });
  const [one, ...others] = results.map((r) => r.summary);
  for (const s of others) {
    t.is(s.params_sha256, one.params_sha256, `${s.workers} workers vs 1`);
    t.is(s.d_loss, one.d_loss, `${s.workers} workers: d_loss`);
    t.is(s.g_loss, one.g_loss, `${s.workers} workers: g_loss`);
  }
});

test.serial('K steps, then --resume to 2K, equals 2K steps in one go', async (t) => {
  const K = 4; // stops before the uneven batch; the resumed part runs it, the epoch end and the next epoch
  const [whole, first] = await limited(2, [
    () => train(['--max-steps', `${2 * K}`, '--workers', '2']),
    () => train(['--max-steps', `${K}`, '--workers', '2']),
  ]);
  t.is(first.summary.steps, K);
  t.not(first.summary.params_sha256, whole.summary.params_sha256);
  const r = await runCli(['train', '--resume', first.out, '--data', data, '--max-steps', `${2 * K}`, '--workers', '2']);
  t.is(r.code, 0, describe(r));
  t.regex(r.stdout, new RegExp(`resuming at epoch 1, batch ${K}, step ${K}`));
  const resumed = readSummary(first.out);
  t.is(resumed.steps, 2 * K);
  t.is(whole.summary.steps, 2 * K);
  t.is(resumed.params_sha256, whole.summary.params_sha256);
  t.is(resumed.d_loss, whole.summary.d_loss);
  t.is(resumed.g_loss, whole.summary.g_loss);
  // The epoch that the stop cut in two averages all of its batches, as in one go.
  const epochOne = (dir: string) => {
    const e = readLog(dir).find((r) => r.type === 'epoch' && r.epoch === 1)!;
    return [e.step, e.d_loss_mean, e.g_loss_mean, e.params_sha256];
  };
  t.deepEqual(epochOne(first.out), epochOne(whole.out));
});

test.serial('wasm and cpu backends agree on the losses of a step within float32 tolerance', async (t) => {
  // Not bit-equal: the two backends' kernels (matMul blocking, SIMD, exp/log) round differently.
  const [wasm, cpu] = await limited(2, [
    () => train(['--max-steps', '1', '--workers', '1', '--backend', 'wasm']),
    () => train(['--max-steps', '1', '--workers', '1', '--backend', 'cpu']),
  ]);
  t.is(wasm.summary.backend, 'wasm');
  t.is(cpu.summary.backend, 'cpu');
  for (const key of ['d_loss', 'g_loss'] as const) {
    const a = wasm.summary[key]!, b = cpu.summary[key]!;
    const rel = Math.abs(a - b) / Math.abs(b);
    t.log(`${key}: wasm ${a} cpu ${b} rel ${rel.toExponential(2)}`);
    t.true(Number.isFinite(a) && Number.isFinite(b));
    t.true(rel < 1e-4, `${key}: wasm ${a} vs cpu ${b}`);
  }
});
