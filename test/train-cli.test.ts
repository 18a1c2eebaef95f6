import test from 'ava';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { startBackend } from '../src/backend.js';
import { generate } from '../src/model/gan.js';
import { generatorSpec } from '../src/model/layout.js';
import { disposeNet, uploadNet } from '../src/model/mlp.js';
import { encodePng, gridImage } from '../src/report/grid.js';
import { loadCheckpoint } from '../src/train/checkpoint.js';
import { fixedLatents } from '../src/train/trainer.js';
import { describe, readJson, readLog, readSummary, runCli, tempDir, writeConfig, writeMnistSubset } from './helpers/tiny.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// samples/*.png: 16 fixed-z digits, 2 rows × 8 columns of 28 px with 2 px padding around and between.
const GRID_WIDTH = 8 * 28 + 9 * 2;
const GRID_HEIGHT = 2 * 28 + 3 * 2;

function checkSamplePng(t: import('ava').ExecutionContext, path: string): void {
  t.true(existsSync(path), `${path} exists`);
  const bytes = readFileSync(path);
  t.true(bytes.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature');
  const png = PNG.sync.read(bytes);
  t.is(png.width, GRID_WIDTH);
  t.is(png.height, GRID_HEIGHT);
  const at = (x: number, y: number) => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4)];
  t.deepEqual(at(0, 0), [0, 0, 0, 255], 'black padding at the corner');
  t.deepEqual(at(30, 31), [0, 0, 0, 255], 'black padding between cells');
  // Inside the cells: generated digits are gray levels, not the black background everywhere.
  let lit = 0;
  for (let y = 2; y < 30; y++) for (let x = 2; x < 30; x++) if (at(x, y)[0] > 0) lit++;
  t.true(lit > 0, 'the first digit has non-black pixels');
}

test('dgan train --max-steps 3 --workers 2 writes a complete run directory', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = writeMnistSubset(join(dir, 'data'), 300);
  const config = writeConfig(dir);
  const out = join(dir, 'run');
  const r = await runCli(['train', '--max-steps', '3', '--workers', '2', '--data', data, '--config', config, '--batch-size', '64', '--out', out]);
  t.is(r.code, 0, describe(r));
  t.regex(r.stdout, /2 workers on wasm/);
  t.regex(r.stdout, /max-steps after 3 steps/);

  const saved = readJson(join(out, 'config.json'));
  t.is(saved.train.batch_size, 64, 'the --batch-size override is saved');
  t.like(saved.model, { z_dim: 16, g_hidden: 8, d_hidden: 16, image_side: 28 });

  const log = readLog(out);
  t.true(log.length >= 1);
  t.is(log[0].type, 'batch');
  t.is(log[0].step, 1);
  t.true(Number.isFinite(log[0].d_loss) && log[0].d_loss > 0, `d_loss ${log[0].d_loss}`);
  t.true(Number.isFinite(log[0].g_loss) && log[0].g_loss > 0, `g_loss ${log[0].g_loss}`);

  checkSamplePng(t, join(out, 'samples', 'step-000003.png'));
  t.true(statSync(join(out, 'checkpoint.dgan')).size > 0, 'checkpoint.dgan');

  // The grid shows G of the checkpoint on the fixed z, pixel for pixel, as drawn here on the main thread.
  await startBackend('wasm');
  const state = loadCheckpoint(out);
  const G = uploadNet(generatorSpec(state.config.model), state.g.params);
  const images = generate(G, fixedLatents(state.config), 16, state.config.model.leaky_slope);
  disposeNet(G);
  const expected = encodePng(gridImage(images, 16, 28, 8));
  t.true(PNG.sync.read(readFileSync(join(out, 'samples', 'step-000003.png'))).data.equals(PNG.sync.read(expected).data), 'the grid is G(fixed z)');

  const s = readSummary(out);
  t.is(s.end, 'max-steps');
  t.is(s.steps, 3);
  t.is(s.workers, 2);
  t.is(s.backend, 'wasm');
  t.is(s.epochs, 3 / 5, '3 of the 5 batches of 300 images');
  t.true(Number.isFinite(s.d_loss) && s.d_loss! > 0, `d_loss ${s.d_loss}`);
  t.true(Number.isFinite(s.g_loss) && s.g_loss! > 0, `g_loss ${s.g_loss}`);
  t.true(s.images_per_sec > 0, `images_per_sec ${s.images_per_sec}`);
  t.regex(s.params_sha256, /^[0-9a-f]{64}$/);
});

test('dgan train --epochs 1 runs a whole epoch with an uneven last batch and finishes', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = writeMnistSubset(join(dir, 'data'), 200); // batch 64: 64, 64, 64, 8
  const config = writeConfig(dir, { train: { log_every: 1 } });
  const out = join(dir, 'run');
  const r = await runCli(['train', '--epochs', '1', '--workers', '2', '--data', data, '--config', config, '--batch-size', '64', '--out', out]);
  t.is(r.code, 0, describe(r));
  t.regex(r.stdout, /finished after 4 steps/);

  checkSamplePng(t, join(out, 'samples', 'epoch-001.png'));
  t.true(existsSync(join(out, 'checkpoint.dgan')));

  const log = readLog(out);
  t.deepEqual(log.filter((l) => l.type === 'batch').map((l) => l.batch), [0, 1, 2, 3]);
  const epochs = log.filter((l) => l.type === 'epoch');
  t.is(epochs.length, 1);
  t.like(epochs[0], { epoch: 1, epochs: 1, step: 4 });
  t.true(Number.isFinite(epochs[0].d_loss_mean) && Number.isFinite(epochs[0].g_loss_mean));

  const s = readSummary(out);
  t.is(s.end, 'finished');
  t.is(s.steps, 4);
  t.is(s.epochs, 1);
  t.is(epochs[0].params_sha256, s.params_sha256, 'the epoch record names the final parameters');
  t.true(Number.isFinite(s.d_loss) && Number.isFinite(s.g_loss));
});
