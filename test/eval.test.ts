import test from 'ava';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judgeSpec, loadJudge, saveJudge } from '../src/eval/judge.js';
import { initParams } from '../src/model/init.js';
import { defaultMnistDir } from '../src/data/mnist.js';
import { describe, readJson, readLog, runCli, tempDir, tinyRun, writeConfig, writeMnistSubset } from './helpers/tiny.js';

// One tiny run and one untrained small judge for the whole file: the command's
// plumbing does not need a good judge, only a well-formed one.
const dir = tempDir();
let tiny: Promise<string> | undefined;
const tinyRunDir = () => (tiny ??= tinyRun(dir));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const HIDDEN: [number, number] = [32, 16];
function writeJudge(base: string): Float32Array {
  const params = initParams(judgeSpec(HIDDEN), 3);
  saveJudge(base, HIDDEN, params, 0.1, { untrained: true });
  return params;
}

test('a saved judge loads back bit for bit, and a damaged one is refused', (t) => {
  const base = join(dir, 'j-roundtrip', 'judge');
  const params = writeJudge(base);
  const back = loadJudge(base);
  t.deepEqual(back.params, params);
  t.is(back.spec.layers[2].in, HIDDEN[1]);
  const bytes = readFileSync(`${base}.bin`);
  bytes[0] ^= 1;
  writeFileSync(`${base}.bin`, bytes);
  t.throws(() => loadJudge(base), { message: /sha256 differs/ });
  t.throws(() => loadJudge(join(dir, 'nowhere')), { message: /judge file not found/ });
});

test('dgan eval prints the table and writes the JSON, with real images near and noise far', async (t) => {
  const run = await tinyRunDir();
  const judge = join(dir, 'j', 'judge');
  writeJudge(judge);
  const json = join(dir, 'out', 'eval.json');
  const r = await runCli(['eval', '--checkpoint', run, '--n', '300', '--judge', judge, '--json', json]);
  t.is(r.code, 0, describe(r));
  t.regex(r.stdout, /G \(step 8\)/);
  t.regex(r.stdout, /real \(MNIST train\)/);
  const report = readJson(json);
  t.is(report.step, 8);
  t.is(report.n, 300);
  t.is(report.rows.length, 3);
  for (const row of report.rows) {
    t.is(row.n, 300);
    t.true(Number.isFinite(row.fd) && row.fd >= 0);
    t.true(row.inception_score >= 1 && row.inception_score <= 10 + 1e-9);
    t.is(row.class_shares.length, 10);
    t.true(Math.abs(row.class_shares.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-9);
  }
  const [, real, noise] = report.rows;
  t.true(real.fd < noise.fd, `real ${real.fd} vs noise ${noise.fd}`);
});

test('dgan eval without its judge is a one-line usage error', async (t) => {
  const run = await tinyRunDir();
  const r = await runCli(['eval', '--checkpoint', run, '--n', '10', '--judge', join(dir, 'missing')]);
  t.is(r.code, 2, describe(r));
  t.regex(r.stderr, /^dgan: error: .*missing\.json: judge file not found/);
  t.is(r.stderr.trim().split('\n').length, 1);
});

test('dgan train --eval-every 1 logs a score of G after each epoch', async (t) => {
  const data = writeMnistSubset(join(dir, 'eval-every-data'), 48);
  // The reference set of the scores is MNIST test, read from the same --data folder.
  for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) copyFileSync(join(defaultMnistDir(), f), join(data, f));
  const config = writeConfig(join(dir, 'eval-every'), { train: { batch_size: 24, micro_batch: 12 } });
  const out = join(dir, 'eval-every-run');
  const r = await runCli(['train', '--data', data, '--config', config, '--epochs', '2', '--workers', '1', '--eval-every', '1', '--eval-n', '200', '--out', out]);
  t.is(r.code, 0, describe(r));
  t.regex(r.stdout, /eval after epoch 1: FD \d+\.\d+ \| IS \d+\.\d+/);
  const evals = readLog(out).filter((l) => l.type === 'eval');
  t.deepEqual(evals.map((e) => e.epoch), [1, 2]);
  for (const e of evals) {
    t.is(e.n, 200);
    t.true(Number.isFinite(e.fd) && e.fd > 0, `fd ${e.fd}`);
    t.true(e.inception_score >= 1 && e.inception_score <= 10, `IS ${e.inception_score}`);
    t.is(Math.round(e.class_shares.reduce((a: number, b: number) => a + b, 0) * 1000), 1000);
  }
});
