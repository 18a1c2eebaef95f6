import test from 'ava';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { startBackend } from '../src/backend.js';
import { generate } from '../src/model/gan.js';
import { generatorSpec } from '../src/model/layout.js';
import { disposeNet, uploadNet } from '../src/model/mlp.js';
import { sampleLatents } from '../src/model/sample.js';
import { loadCheckpoint } from '../src/train/checkpoint.js';
import { launchChromium } from './helpers/browser.js';
import { ROOT, describe, listTree, runCli, tempDir, tinyRun } from './helpers/tiny.js';

const ROWS = 32;
const TOLERANCE = 1e-5;

/** What a Node user without tfjs-node does (there is no file:// there): read the two files, hand them over. */
function folderLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers = manifest.flatMap((group) => group.paths).map((p) => new Uint8Array(readFileSync(join(dir, p))).buffer);
        return [manifest.flatMap((group) => group.weights), tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/** dgan's own G on z [z_dim, rows]: the reference, [rows, pixels]. */
function reference(runDir: string, zT: Float32Array, rows: number): Float32Array {
  const { config, g } = loadCheckpoint(runDir);
  const G = uploadNet(generatorSpec(config.model), g.params);
  try {
    return generate(G, zT, rows, config.model.leaky_slope);
  } finally {
    disposeNet(G);
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const runs = tempDir();
let tiny: Promise<string> | undefined;
const tinyRunDir = () => (tiny ??= tinyRun(runs));
test.after.always(() => rmSync(runs, { recursive: true, force: true }));

test('dgan export writes a LayersModel that tf.loadLayersModel loads, in Node and in Chromium, equal to dgan\'s G within 1e-5', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = await tinyRunDir();
  const out = join(dir, 'gan-tfjs');
  const r = await runCli(['export', '--checkpoint', run, '--out', out]);
  t.is(r.code, 0, describe(r));
  t.deepEqual(listTree(out), ['model.json', 'model.weights.bin'], 'the two files, no leftovers');

  const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  t.is(json.format, 'layers-model');
  t.deepEqual(json.weightsManifest[0].paths, ['model.weights.bin']);
  t.like(json.userDefinedMetadata.dgan, { z_dim: 16, image_side: 28, step: 8 });
  const layers = json.modelTopology.config.layers as { class_name: string; config: Record<string, unknown> }[];
  t.deepEqual(
    layers.map((l) => l.class_name),
    ['Dense', 'LeakyReLU', 'Dropout', 'Dense', 'LeakyReLU', 'Dropout', 'Dense', 'LeakyReLU', 'Dense'],
    "the article's G: dropout after the first two hidden layers",
  );
  t.like(layers[1].config, { alpha: 0.2 });
  t.like(layers[2].config, { rate: 0.3 });
  t.like(layers[8].config, { units: 784, activation: 'tanh' });

  const { config } = loadCheckpoint(run);
  const zDim = config.model.z_dim;
  const zT = sampleLatents(11, zDim, 0, ROWS); // [z_dim, rows], as dgan's G takes it
  await startBackend('wasm');
  const want = reference(run, zT, ROWS);

  // Node: loadLayersModel through a file-reading handler; the layers model takes z row-major, [rows, z_dim].
  const loaded = await tfl.loadLayersModel(folderLoadHandler(out));
  const zRows = tf.tidy(() => tf.transpose(tf.tensor2d(zT, [zDim, ROWS])));
  const out1 = loaded.predict(zRows) as tf.Tensor;
  t.deepEqual(out1.shape, [ROWS, 784]);
  const got = out1.dataSync();
  const zRowMajor = zRows.dataSync();
  tf.dispose([zRows, out1]);
  loaded.dispose();
  t.true(maxAbsDiff(got, want) <= TOLERANCE, `Node: max |Δ| ${maxAbsDiff(got, want)}`);

  // Chromium: the tfjs UMD bundles and the two files served over (intercepted) HTTP, loaded by URL as on a web page.
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const files: Record<string, [string, string]> = {
    '/index.html': ['text/html', ''],
    '/tf-core.js': ['text/javascript', join(ROOT, 'node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js')],
    '/tf-backend-cpu.js': ['text/javascript', join(ROOT, 'node_modules/@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.min.js')],
    '/tf-layers.js': ['text/javascript', join(ROOT, 'node_modules/@tensorflow/tfjs-layers/dist/tf-layers.min.js')],
    '/gan/model.json': ['application/json', join(out, 'model.json')],
    '/gan/model.weights.bin': ['application/octet-stream', join(out, 'model.weights.bin')],
  };
  const html = '<!DOCTYPE html><script src="/tf-core.js"></script><script src="/tf-backend-cpu.js"></script><script src="/tf-layers.js"></script>';
  await page.route('http://dgan.test/**', (route) => {
    const path = new URL(route.request().url()).pathname;
    const file = files[path];
    if (!file) return route.fulfill({ status: 404 });
    return route.fulfill({ status: 200, contentType: file[0], body: path === '/index.html' ? html : readFileSync(file[1]) });
  });
  await page.goto('http://dgan.test/index.html');
  const inBrowser = await page.evaluate(
    async ({ z, rows, zDim }) => {
      const tfb = (globalThis as any).tf;
      await tfb.setBackend('cpu');
      const model = await tfb.loadLayersModel('/gan/model.json');
      return Array.from(model.predict(tfb.tensor2d(z, [rows, zDim])).dataSync() as Float32Array);
    },
    { z: Array.from(zRowMajor), rows: ROWS, zDim },
  );
  t.deepEqual(errors, []);
  t.true(maxAbsDiff(inBrowser, want) <= TOLERANCE, `Chromium: max |Δ| ${maxAbsDiff(inBrowser, want)}`);
});

test('dgan export: bad input is a one-line error, exit 2, and nothing written', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = await tinyRunDir();
  writeFileSync(join(dir, 'file'), '');
  const before = listTree(dir);
  const cases: [string[], RegExp][] = [
    [['--checkpoint', join(dir, 'nope'), '--out', join(dir, 'x')], /no checkpoint in/],
    [['--checkpoint', run, '--out', join(dir, 'file')], /is a file/],
    [['--checkpoint', run, '--out', join(dir, 'file', 'x')], /is not a folder you can write to/],
    [['--out', join(dir, 'x')], /--checkpoint.*not specified/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['export', ...args]);
    t.is(r.code, 2, `${args.join(' ')}: ${describe(r)}`);
    t.regex(r.stderr.split('\n')[0], message, args.join(' '));
  }
  t.deepEqual(listTree(dir), before, 'nothing written');
});
