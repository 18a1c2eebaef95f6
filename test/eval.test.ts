import test from 'ava';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../src/backend.js';
import { DEFAULT_JUDGE } from '../src/commands/eval.js';
import { packagePath } from '../src/commands/options.js';
import { unitImages } from '../src/eval/images.js';
import { JUDGE_PIXELS, accuracy, judgeImages, loadJudge, paramsSha256, saveJudge } from '../src/eval/judge.js';
import { type JudgeShape, initJudge, judgeLayout, uploadJudge } from '../src/eval/judge-net.js';
import { defaultMnistDir, loadMnist } from '../src/data/mnist.js';
import { encodeNpy, npyHeader } from '../src/report/npy.js';
import { describe, idxBytes, readJson, readLog, runCli, tempDir, tinyRun, writeConfig, writeMnistSubset } from './helpers/tiny.js';

// One tiny run and one untrained small judge for the whole file: the command's
// plumbing does not need a good judge, only a well-formed one.
const dir = tempDir();
let tiny: Promise<string> | undefined;
const tinyRunDir = () => (tiny ??= tinyRun(dir));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const SHAPE: JudgeShape = { channels: [2, 3], kernel: 3, hidden: 16 };
function writeJudge(base: string): Float32Array {
  const params = initJudge(judgeLayout(SHAPE), 3);
  saveJudge(base, SHAPE, params, 0.1, { untrained: true });
  return params;
}

test('a saved judge loads back bit for bit, and a damaged one is refused', (t) => {
  const base = join(dir, 'j-roundtrip', 'judge');
  const params = writeJudge(base);
  const back = loadJudge(base);
  t.deepEqual(back.params, params);
  t.deepEqual(back.layout, judgeLayout(SHAPE));
  const bytes = readFileSync(`${base}.bin`);
  bytes[0] ^= 1;
  writeFileSync(`${base}.bin`, bytes);
  t.throws(() => loadJudge(base), { message: /sha256 differs/ });
  t.throws(() => loadJudge(join(dir, 'nowhere')), { message: /judge file not found/ });
  const header = readJson(`${base}.json`);
  writeFileSync(`${base}.json`, JSON.stringify({ ...header, version: 1 }));
  t.throws(() => loadJudge(base), { message: /judge format version 1, this dgan reads 2; train one with/ });
  const slots = header.slots as { offset: number }[];
  writeFileSync(`${base}.json`, JSON.stringify({ ...header, slots: [{ ...slots[0], offset: 999 }, ...slots.slice(1)] }));
  t.throws(() => loadJudge(base), { message: /damaged judge header \(its slots are not the layout of its shape\)/ });
  writeFileSync(`${base}.json`, JSON.stringify({ ...header, slots: slots.slice(0, -1) }));
  t.throws(() => loadJudge(base), { message: /its slots are not the layout/ });
});

test('a judge is named by its base path or either file; a folder in its place or weights that are not finite are refused', (t) => {
  const base = join(dir, 'j-names', 'judge');
  const params = writeJudge(base);
  t.deepEqual(loadJudge(`${base}.json`).params, params);
  t.deepEqual(loadJudge(`${base}.bin`).params, params);
  const folder = join(dir, 'j-folder', 'judge');
  writeJudge(folder);
  rmSync(`${folder}.bin`);
  mkdirSync(`${folder}.bin`);
  t.throws(() => loadJudge(folder), { message: /judge\.bin: not a file, so not half of a dgan judge/ });
  // NaN weights under a header whose sha256 matches them: whole, but useless.
  const nan = join(dir, 'j-nan', 'judge');
  writeJudge(nan);
  const poisoned = Float32Array.from(params);
  poisoned[5] = NaN;
  writeFileSync(`${nan}.bin`, Buffer.from(poisoned.buffer));
  writeFileSync(`${nan}.json`, JSON.stringify({ ...readJson(`${nan}.json`), sha256: paramsSha256(poisoned) }));
  t.throws(() => loadJudge(nan), { message: /holds weights that are not finite numbers/ });
});

test('the shipped judge classifies MNIST test at the accuracy its header records, at least 98%', async (t) => {
  await startBackend('wasm');
  const judge = loadJudge(packagePath(DEFAULT_JUDGE));
  const test10k = loadMnist(defaultMnistDir(), 't10k');
  const net = uploadJudge(judge.layout, judge.params);
  const acc = accuracy(judgeImages(net, unitImages(test10k.images, JUDGE_PIXELS, 0, test10k.count), test10k.count).probs, test10k.labels);
  tf.dispose(net);
  t.true(acc >= 0.98, `accuracy ${acc}`);
  t.true(Math.abs(acc - judge.header.test_accuracy) <= 2 / test10k.count, `measured ${acc}, header ${judge.header.test_accuracy}`);
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

test('dgan train --eval-every 2 logs a score of G after every 2nd epoch and the last; a resume must keep the data', async (t) => {
  const data = writeMnistSubset(join(dir, 'eval-every-data'), 48);
  // The reference set of the scores is MNIST test, read from the same --data folder.
  for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) copyFileSync(join(defaultMnistDir(), f), join(data, f));
  const config = writeConfig(join(dir, 'eval-every'), { train: { batch_size: 24, micro_batch: 12 } });
  const out = join(dir, 'eval-every-run');
  const r = await runCli(['train', '--data', data, '--config', config, '--epochs', '3', '--workers', '1', '--eval-every', '2', '--eval-n', '200', '--out', out]);
  t.is(r.code, 0, describe(r));
  t.regex(r.stdout, /eval after epoch 2: FD \d+\.\d+ \| IS \d+\.\d+/);
  const evals = readLog(out).filter((l) => l.type === 'eval');
  t.deepEqual(evals.map((e) => e.epoch), [2, 3]);
  const judge = loadJudge(packagePath(DEFAULT_JUDGE)).header.sha256;
  t.true(existsSync(join(out, 'scores.png')), "the report draws the scores' curves");
  t.regex(readFileSync(join(out, 'report.html'), 'utf8'), new RegExp(`Judge <code>${judge.slice(0, 16)}</code>`));
  for (const e of evals) {
    t.is(e.judge, judge);
    t.is(e.n, 200);
    t.true(Number.isFinite(e.fd) && e.fd > 0, `fd ${e.fd}`);
    t.true(e.inception_score >= 1 && e.inception_score <= 10, `IS ${e.inception_score}`);
    t.is(Math.round(e.class_shares.reduce((a: number, b: number) => a + b, 0) * 1000), 1000);
  }
  // Resumed without --data, the run would go on with all of MNIST: refused.
  const resumed = await runCli(['train', '--resume', out, '--epochs', '4']);
  t.is(resumed.code, 2, describe(resumed));
  t.regex(resumed.stderr, /was trained on other images \(48 from .*eval-every-data\) than --data gives \(60000 from .*\); give --data /);
  writeFileSync(join(out, 'data.json'), '{}');
  const damaged = await runCli(['train', '--resume', out, '--epochs', '4', '--data', data]);
  t.is(damaged.code, 2, describe(damaged));
  t.regex(damaged.stderr, /data\.json is damaged; delete it to resume/);
});

test('bad input around evaluation is a one-line usage error that writes nothing', async (t) => {
  const run = await tinyRunDir();
  const judge = join(dir, 'j-guard', 'judge');
  writeJudge(judge);
  const checkpoint = readFileSync(join(run, 'checkpoint.dgan'));
  const damaged = join(dir, 'j-damaged', 'judge');
  writeJudge(damaged);
  writeFileSync(`${damaged}.json`, JSON.stringify({ ...readJson(`${damaged}.json`), shape: 'big' }));
  const data = writeMnistSubset(join(dir, 'guard-data'), 10);
  const fifo = join(dir, 'guard-fifo');
  execFileSync('mkfifo', [fifo]);
  // Another run's files are just as safe as those of the run being read.
  const other = join(dir, 'guard-other-run');
  mkdirSync(join(other, 'samples'), { recursive: true });
  for (const f of ['checkpoint.dgan', 'log.jsonl', 'config.json']) copyFileSync(join(run, f), join(other, f));
  const link = join(dir, 'guard-link.json');
  symlinkSync(join(other, 'log.jsonl'), link);
  const before = new Map([join(other, 'checkpoint.dgan'), join(other, 'log.jsonl'), join(other, 'config.json'), join(run, 'report.html'), join(run, 'samples', 'epoch-001.png'), `${judge}.json`, join(data, 'train-images-idx3-ubyte')].map((f) => [f, readFileSync(f)]));
  const cases: [string[], RegExp][] = [
    [['eval', '--checkpoint', run, '--judge', judge, '--json', join(run, 'checkpoint.dgan')], /--json .*checkpoint\.dgan would overwrite .*checkpoint\.dgan, which this command reads/],
    [['sample', '--checkpoint', run, '--out', join(run, 'log.jsonl')], /--out .*log\.jsonl would overwrite/],
    [['eval', '--checkpoint', run, '--judge', judge, '--json', join(run, 'report.html')], /--json .*report\.html would overwrite .*report\.html, which/],
    [['sample', '--checkpoint', run, '--out', join(run, 'samples', 'epoch-001.png')], /would overwrite a file in .*samples, which this command reads or which belongs to a run/],
    [['eval', '--checkpoint', run, '--judge', judge, '--json', `${judge}.json`], /--json .*judge\.json would overwrite/],
    [['eval', '--checkpoint', run, '--judge', judge, '--data', data, '--json', join(data, 'train-images-idx3-ubyte')], /would overwrite a file in .*guard-data/],
    [['eval', '--checkpoint', run, '--judge', judge, '--json', join(other, 'checkpoint.dgan')], /--json .*guard-other-run\/checkpoint\.dgan would overwrite .*checkpoint\.dgan, which this command reads or which belongs to a run/],
    [['sample', '--checkpoint', run, '--out', join(other, 'log.jsonl')], /--out .*guard-other-run\/log\.jsonl would overwrite/],
    [['sample', '--checkpoint', run, '--out', join(other, 'samples', 'new.png')], /would overwrite a file in .*guard-other-run\/samples/],
    [['eval', '--checkpoint', run, '--judge', judge, '--json', link], /--json .*guard-link\.json would overwrite .*guard-other-run\/log\.jsonl/],
    [['bench', '--json', join(other, 'config.json')], /--json .*guard-other-run\/config\.json would overwrite/],
    [['eval', '--checkpoint', run, '--judge', ''], /--judge is empty: give the base path/],
    [['eval', '--checkpoint', run, '--judge', judge, '--json', fifo], /--json .*guard-fifo is not a plain file \(a device, pipe or socket\)/],
    [['eval', '--checkpoint', run, '--judge', judge, '--json', ''], /--json is empty: give a file name/],
    [['sample', '--checkpoint', run, '--out', ''], /--out is empty: give a file name/],
    [['eval', '--samples', dir, '--judge', judge], /is not a file; give a \.npy file/],
    [['eval', '--checkpoint', run, '--judge', damaged], /damaged judge header \(shape\.channels must be two positive integers\)/],
    [['train', '--max-steps', '1', '--eval-n', '100', '--out', join(dir, 'never')], /--eval-n sets the samples .* add --eval-every K/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    t.is(r.code, 2, describe(r));
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  t.deepEqual(readFileSync(join(run, 'checkpoint.dgan')), checkpoint);
  for (const [f, bytes] of before) t.deepEqual(readFileSync(f), bytes, `${f} untouched`);
  t.true(statSync(fifo).isFIFO(), 'the pipe is still a pipe');
  t.false(existsSync(join(other, 'samples', 'new.png')));
  // Beside a run's files is fine.
  const beside = await runCli(['eval', '--checkpoint', run, '--judge', judge, '--n', '20', '--json', join(other, 'eval.json')]);
  t.is(beside.code, 0, describe(beside));
  t.is(readJson(join(other, 'eval.json')).n, 20);
  t.false(existsSync(join(dir, 'never')));
});

test('dgan eval refuses MNIST folders the judge cannot read: other image sizes, a set of one image', async (t) => {
  const judge = join(dir, 'j-data', 'judge');
  writeJudge(judge);
  const npy = join(dir, 'j-data', 'x.npy');
  writeFileSync(npy, encodeNpy(new Float32Array(4 * 784).fill(-0.5), [4, 784]));
  const folder = (name: string, side: number, counts: { train: number; t10k: number }) => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    for (const split of ['train', 't10k'] as const) {
      const n = counts[split];
      writeFileSync(join(d, `${split}-images-idx3-ubyte`), idxBytes([n, side, side], new Uint8Array(n * side * side)));
      writeFileSync(join(d, `${split}-labels-idx1-ubyte`), idxBytes([n], new Uint8Array(n)));
    }
    return d;
  };
  const cases: [string, RegExp][] = [
    [folder('data-14px', 14, { train: 16, t10k: 16 }), /the train images are 14×14; the judge reads 28×28 images/],
    [folder('data-one', 28, { train: 8, t10k: 1 }), /the t10k set holds 1 image; the judge's statistics need at least 2/],
  ];
  for (const [data, message] of cases) {
    const r = await runCli(['eval', '--samples', npy, '--judge', judge, '--data', data, '--json', join(data, '..', 'never.json')]);
    t.is(r.code, 2, describe(r));
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  t.false(existsSync(join(dir, 'never.json')));
});

test('dgan eval --samples judges a .npy of images: the same scores as the checkpoint whose G drew them', async (t) => {
  const run = await tinyRunDir();
  const judge = join(dir, 'j-samples', 'judge');
  writeJudge(judge);
  const npy = join(dir, 'samples', 'g.npy');
  const drawn = await runCli(['sample', '--checkpoint', run, '--n', '300', '--format', 'npy', '--out', npy]);
  t.is(drawn.code, 0, describe(drawn));
  const fromFile = join(dir, 'samples', 'file.json'), fromRun = join(dir, 'samples', 'run.json');
  const r = await runCli(['eval', '--samples', npy, '--judge', judge, '--json', fromFile]);
  t.is(r.code, 0, describe(r));
  t.regex(r.stdout, /samples \(g\.npy\)/);
  t.is((await runCli(['eval', '--checkpoint', run, '--n', '300', '--judge', judge, '--json', fromRun])).code, 0);
  const [file, ckpt] = [readJson(fromFile), readJson(fromRun)];
  t.is(file.n, 300, 'n is the rows in the file when --n asks for more');
  t.is(file.samples, npy);
  t.deepEqual(file.rows.map((row: { fd: number }) => row.fd), ckpt.rows.map((row: { fd: number }) => row.fd));
  t.is(file.rows[0].inception_score, ckpt.rows[0].inception_score);
});

test('dgan eval --samples: a bad file is a one-line usage error, [0, 1] images a warning', async (t) => {
  const judge = join(dir, 'j-bad', 'judge');
  writeJudge(judge);
  const write = (name: string, bytes: Uint8Array | string) => {
    const path = join(dir, 'bad', name);
    mkdirSync(join(dir, 'bad'), { recursive: true });
    writeFileSync(path, bytes);
    return path;
  };
  const cases: [string[], RegExp][] = [
    [[], /give one of --checkpoint RUN_DIR .* and --samples FILE\.npy/],
    [['--samples', join(dir, 'bad', 'none.npy')], /none\.npy not found/],
    [['--samples', write('text.npy', 'hello')], /text\.npy is not a \.npy file/],
    [['--samples', write('shape.npy', encodeNpy(new Float32Array(20), [4, 5]))], /shape \(4, 5\); the judge reads arrays of 28×28 images: \(n, 784\)/],
    [['--samples', write('split.npy', encodeNpy(new Float32Array(2 * 784), [2, 392, 2]))], /shape \(2, 392, 2\); the judge reads arrays/],
    [['--samples', write('long.npy', Buffer.concat([encodeNpy(new Float32Array(2 * 784), [2, 784]), Buffer.alloc(16)]))], /damaged: shape \(2, 784\) needs 6272 bytes of data, the file has 6288/],
    [['--samples', write('range.npy', encodeNpy(new Float32Array(2 * 784).fill(3), [2, 784]))], /pixels in \[3, 3\]; the judge reads G's range/],
    [['--samples', write('cut.npy', encodeNpy(new Float32Array(2 * 784), [2, 784]).subarray(0, 500))], /cut off: shape \(2, 784\) needs 6272 bytes/],
    [['--samples', write('int.npy', Buffer.concat([Buffer.from(npyHeader([2, 784]).toString('latin1').replace("'<f4'", "'<i4'"), 'latin1'), Buffer.alloc(4 * 2 * 784)]))], /dtype <i4; save it as little-endian float32 \(array\.astype\(.<f4.\)\)/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['eval', '--judge', judge, ...args]);
    t.is(r.code, 2, describe(r));
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const run = await tinyRunDir();
  const both = await runCli(['eval', '--checkpoint', run, '--samples', write('x.npy', 'x'), '--judge', judge]);
  t.is(both.code, 2);
  t.regex(both.stderr, /give one of/);

  const unit = write('unit.npy', encodeNpy(new Float32Array(3 * 28 * 28).fill(0.5), [3, 28, 28]));
  const r = await runCli(['eval', '--samples', unit, '--judge', judge]);
  t.is(r.code, 0, describe(r));
  t.regex(r.stderr, /warning: every pixel of .*unit\.npy is ≥ 0; if they are \[0, 1\] images, rescale/);
  t.regex(r.stdout, /3 images per row/);
});
