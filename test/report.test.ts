import test from 'ava';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { lossPoints } from '../src/report/charts.js';
import { decodePng, gridCells } from '../src/report/grid.js';
import { flattenConfig } from '../src/config.js';
import { writeReport } from '../src/report/page.js';
import { progressionEpochs, sampleCells } from '../src/report/progression.js';
import { type BatchRecord, type SampleFile, latestSample } from '../src/report/runlog.js';
import { LOSSES_FILE, PROGRESSION_FILE, REPORT_FILE, RunDir, SCORES_FILE } from '../src/train/rundir.js';
import { DEFAULTS } from '../src/config.js';
import { launchChromium } from './helpers/browser.js';
import { describe, listTree, runCli, tempDir, tinyRun } from './helpers/tiny.js';

const SIDE = 28;
/** 16 digits in one row: 16·28 px plus 17 borders of 2 px. */
const ROW_WIDTH = 16 * SIDE + 17 * 2;
const rowsHeight = (rows: number) => rows * SIDE + (rows + 1) * 2;

test('progressionEpochs: every 10th epoch and the last; all of them below 10', (t) => {
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  t.deepEqual(progressionEpochs(upTo(100)), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  t.deepEqual(progressionEpochs(upTo(25)), [10, 20, 25]);
  t.deepEqual(progressionEpochs(upTo(10)), [10]);
  t.deepEqual(progressionEpochs(upTo(9)), upTo(9));
  t.deepEqual(progressionEpochs([3, 1, 2]), [1, 2, 3]);
  t.deepEqual(progressionEpochs([]), []);
});

test('latestSample: the highest step; at a tie the epoch grid', (t) => {
  const f = (path: string, epoch: number | null, step: number | null): SampleFile => ({ path, epoch, step });
  const e1 = f('epoch-001.png', 1, 4), e2 = f('epoch-002.png', 2, 8), s6 = f('step-000006.png', null, 6), s8 = f('step-000008.png', null, 8);
  t.is(latestSample([e1, s6]), s6);
  t.is(latestSample([s8, e2, e1]), e2);
  t.is(latestSample([e2, s8]), e2);
  t.is(latestSample([f('epoch-001.png', 1, null), f('epoch-002.png', 2, null)])?.path, 'epoch-002.png', 'no log: the highest epoch');
  t.is(latestSample([]), null);
});

test('lossPoints put each batch at its fractional epoch', (t) => {
  const r = (epoch: number, batch: number): BatchRecord => ({ type: 'batch', time: '', epoch, epochs: 2, batch, batches: 4, step: 0, d_loss: 1, g_loss: 2 });
  t.deepEqual(lossPoints([r(1, 0), r(2, 3)]).map((p) => [p.epoch, p.net, p.loss]), [[0.25, 'D', 1], [0.25, 'G', 2], [2, 'D', 1], [2, 'G', 2]]);
});

test('flattenConfig gives dotted keys, arrays whole', (t) => {
  t.deepEqual(flattenConfig({ a: { b: 1, c: [0.5, 0.9] }, d: false }), [['a.b', '1'], ['a.c', '[0.5, 0.9]'], ['d', 'false']]);
});

test('a 25-epoch run directory: progression.png holds epochs 10, 20 and 25, one row each, from their grids', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(DEFAULTS));
  const run = new RunDir(dir);
  for (let epoch = 1; epoch <= 25; epoch++) {
    // Epoch e's digit k is a flat gray that names both: (e·16 + k) mod 255 levels.
    const pixels = new Float32Array(16 * SIDE * SIDE).map((_, i) => (((epoch * 16 + Math.floor(i / (SIDE * SIDE))) % 255) / 255) * 2 - 1);
    const samples = run.writeSamples(`epoch-${String(epoch).padStart(3, '0')}`, pixels, SIDE);
    const time = new Date(Date.UTC(2025, 0, 1, 0, epoch)).toISOString();
    run.log({ type: 'epoch', time, epoch, epochs: 25, step: epoch * 4, d_loss_mean: 1, g_loss_mean: 1, params_sha256: 'ab', samples });
    // Scores after epochs 5 (by a judge since retrained), 10 and 20.
    const judge = epoch === 5 ? 'old-judge' : 'new-judge';
    const score = { type: 'eval' as const, time, epoch, step: epoch * 4, judge, set: 'G', n: 500, fd: 1000 + epoch, inception_score: epoch / 10, confidence: 0.5, class_shares: new Array(10).fill(0.1) };
    if (epoch % 5 === 0 && epoch <= 20 && epoch !== 15) run.log(score);
    if (epoch === 12) run.log({ ...score, n: 200, fd: 3012 }); // at another n: does not compare
  }
  // A line cut short by a crash, an edited record and JSON that is no record: left out, and counted.
  appendFileSync(join(dir, 'log.jsonl'), '{"type":"eval","epo\n{"type":"eval","epoch":"x","fd":"bad"}\n[1]\n');
  const files = await writeReport(dir);
  t.is(files.skipped, 3);
  t.is(files.scores, join(dir, SCORES_FILE));
  const scores = decodePng(readFileSync(files.scores!));
  t.true(scores.width > 600 && scores.height > 150, `scores.png ${scores.width}×${scores.height}`);
  t.is(files.losses, null, 'no batch records, no curve');
  t.false(readFileSync(files.report, 'utf8').includes('No scores'));
  const fig = decodePng(readFileSync(join(dir, PROGRESSION_FILE)));
  t.is(fig.width, ROW_WIDTH);
  t.is(fig.height, rowsHeight(3));
  const rows = gridCells(fig, 48, SIDE, 16);
  [10, 20, 25].forEach((epoch, r) => {
    const grid = sampleCells(decodePng(readFileSync(join(dir, 'samples', `epoch-${String(epoch).padStart(3, '0')}.png`))), SIDE);
    t.deepEqual(rows.subarray(r * grid.length, (r + 1) * grid.length), grid, `row ${r} is epoch ${epoch}`);
  });
  const html = readFileSync(files.report, 'utf8');
  t.regex(html, /epoch 25<\/span>/);
  t.notRegex(html, /epoch 15<\/span>/);
  t.regex(html, /samples\/epoch-025\.png, after step 100/, 'the final grid is the last epoch');
  t.regex(html, /<td class="num">10<\/td><td class="num">40<\/td><td class="num">500<\/td><td class="num">1010\.00<\/td><td class="num">1\.00<\/td>/);
  t.regex(html, /<td class="num">1020\.00<\/td>/);
  t.notRegex(html, /1005\.00/, "the retrained judge's older score is left out");
  t.notRegex(html, /3012\.00/, 'the score at another n is left out');
  t.regex(html, /2 earlier scores by another judge or at another n are left out/);
  t.notRegex(html, />(undefined|NaN)</, "no cell of an edited record");
});

test('dgan report names a damaged sample grid instead of crashing, and writes no report', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(DEFAULTS));
  const run = new RunDir(dir);
  for (const epoch of [1, 2]) run.writeSamples(`epoch-00${epoch}`, new Float32Array(16 * SIDE * SIDE), SIDE);
  const grid = join(dir, 'samples', 'epoch-002.png');
  writeFileSync(grid, Buffer.concat([readFileSync(grid), Buffer.from('trailing junk')]));
  const r = await runCli(['report', dir]);
  t.is(r.code, 2, describe(r));
  t.regex(r.stderr, /epoch-002\.png is not a sample grid dgan can read \(.+\); restore or delete it/);
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.false(existsSync(join(dir, REPORT_FILE)));
});

test('dgan train writes report.html, losses.png and progression.png; dgan report RUN_DIR redraws them; Chromium renders every image', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = await tinyRun(dir);
  for (const f of [REPORT_FILE, LOSSES_FILE, PROGRESSION_FILE]) t.true(existsSync(join(run, f)), `${f} written at the end of the run`);

  for (const f of [REPORT_FILE, LOSSES_FILE, PROGRESSION_FILE]) rmSync(join(run, f));
  const r = await runCli(['report', run]);
  t.is(r.code, 0, describe(r));
  t.regex(r.stdout, /report .*report\.html/);

  const losses = PNG.sync.read(readFileSync(join(run, LOSSES_FILE)));
  t.true(losses.width > 400 && losses.height > 200, `losses.png ${losses.width}×${losses.height}`);
  const progression = decodePng(readFileSync(join(run, PROGRESSION_FILE)));
  t.is(progression.width, ROW_WIDTH);
  t.is(progression.height, rowsHeight(2), 'epochs 1 and 2: one row each');
  const epoch2 = sampleCells(decodePng(readFileSync(join(run, 'samples', 'epoch-002.png'))), SIDE);
  t.deepEqual(gridCells(progression, 32, SIDE, 16).subarray(epoch2.length), epoch2, 'the last row is epoch 2');

  const html = readFileSync(join(run, REPORT_FILE), 'utf8');
  t.notRegex(html, /(src|href)="(?!data:)/, 'no outside references');
  for (const text of ['finished after 8 steps', 'params_sha256', 'images_per_sec', 'model.z_dim', 'train.batch_size', 'last session', 'samples/epoch-002.png']) {
    t.true(html.includes(text), `the page shows ${text}`);
  }

  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  page.on('request', (q) => !/^(data|file):/.test(q.url()) && problems.push(`request: ${q.url()}`));
  await page.goto(pathToFileURL(join(run, REPORT_FILE)).href, { waitUntil: 'load' });
  const images = await page.$$eval('img', (imgs) => imgs.map((i) => ({ alt: i.alt, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight })));
  t.is(images.length, 4, 'the loss chart, two progression rows, the final grid');
  for (const i of images) t.true(i.complete && i.width > 0 && i.height > 0, `${i.alt}: ${i.width}×${i.height}`);
  t.deepEqual(problems, []);
});

test('dgan report refuses a missing folder and a folder that holds no run', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'empty'));
  for (const [arg, message] of [[join(dir, 'nope'), /no run directory/], [join(dir, 'empty'), /not a dgan run directory/]] as const) {
    const r = await runCli(['report', arg]);
    t.is(r.code, 2, describe(r));
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  t.deepEqual(listTree(dir), ['empty'], 'nothing written');
});
