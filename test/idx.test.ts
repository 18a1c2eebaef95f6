import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '../src/errors.js';
import { parseIdx } from '../src/data/idx.js';
import { defaultMnistDir, loadMnist } from '../src/data/mnist.js';

/** Builds an IDX file from dims and data; `magic` overrides the first 4 bytes. */
function idx(dims: number[], data: Uint8Array, magic = [0, 0, 8, dims.length]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out.set(magic);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function range(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256);
}

/** A temp dir holding a tiny valid train split (3 images of 4×4); overrides replace files. */
function fakeDir(files: Record<string, Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dgan-idx-'));
  const all: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte': idx([3, 4, 4], range(48)),
    'train-labels-idx1-ubyte': idx([3], Uint8Array.of(7, 0, 9)),
    ...files,
  };
  for (const [name, bytes] of Object.entries(all)) writeFileSync(join(dir, name), bytes);
  return dir;
}

test('real MNIST train set loads: 60000 images 28x28, all ten digits', (t) => {
  const set = loadMnist(defaultMnistDir(), 'train');
  t.is(set.count, 60000);
  t.is(set.rows, 28);
  t.is(set.cols, 28);
  t.is(set.images.length, 60000 * 28 * 28);
  t.is(set.labels.length, 60000);
  const seen = new Set(set.labels);
  t.true([...seen].every((l) => l <= 9));
  t.is(seen.size, 10);
});

test('real MNIST train images file has the known sha256', (t) => {
  const bytes = readFileSync(join(defaultMnistDir(), 'train-images-idx3-ubyte'));
  t.is(
    createHash('sha256').update(bytes).digest('hex'),
    'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  );
});

test('real MNIST t10k set has 10000 images', (t) => {
  const set = loadMnist(defaultMnistDir(), 't10k');
  t.is(set.count, 10000);
  t.is(set.labels.length, 10000);
});

test('parseIdx returns a view, not a copy', (t) => {
  const bytes = idx([2, 3], range(6));
  const { dims, data } = parseIdx(bytes, 'x');
  t.deepEqual(dims, [2, 3]);
  t.is(data.buffer, bytes.buffer);
  t.deepEqual([...data], [...range(6)]);
});

test('shared: true gives SharedArrayBuffer-backed images', (t) => {
  const set = loadMnist(fakeDir(), 'train', { shared: true });
  t.true(set.images.buffer instanceof SharedArrayBuffer);
  t.deepEqual([...set.images], [...range(48)]);
  t.deepEqual([...set.labels], [7, 0, 9]);
});

test('truncated images file is a UserError with expected vs found bytes', (t) => {
  const full = idx([3, 4, 4], range(48));
  const dir = fakeDir({ 'train-images-idx3-ubyte': full.subarray(0, 26) });
  t.throws(() => loadMnist(dir, 'train'), {
    instanceOf: UserError,
    message: /train-images-idx3-ubyte: truncated: expected 64 bytes, found 26/,
  });
});

test('extra bytes after the data are a UserError', (t) => {
  const dir = fakeDir({ 'train-labels-idx1-ubyte': idx([3], Uint8Array.of(1, 2, 3, 4)) });
  t.throws(() => loadMnist(dir, 'train'), {
    instanceOf: UserError,
    message: /train-labels-idx1-ubyte: trailing data: expected 11 bytes.*found 12/,
  });
});

test('wrong magic is a UserError', (t) => {
  const dir = fakeDir({ 'train-images-idx3-ubyte': idx([3, 4, 4], range(48), [0, 0, 0x0d, 3]) });
  t.throws(() => loadMnist(dir, 'train'), {
    instanceOf: UserError,
    message: /train-images-idx3-ubyte: bad magic 0x00 0x00 0x0d 0x03/,
  });
});

test('image/label count mismatch names both counts', (t) => {
  const dir = fakeDir({ 'train-labels-idx1-ubyte': idx([2], Uint8Array.of(1, 2)) });
  t.throws(() => loadMnist(dir, 'train'), {
    instanceOf: UserError,
    message: /train-images-idx3-ubyte has 3 images but .*train-labels-idx1-ubyte has 2 labels/,
  });
});

test('a label above 9 is a UserError', (t) => {
  const dir = fakeDir({ 'train-labels-idx1-ubyte': idx([3], Uint8Array.of(1, 10, 2)) });
  t.throws(() => loadMnist(dir, 'train'), {
    instanceOf: UserError,
    message: /train-labels-idx1-ubyte: label 10 at index 1 is outside 0\.\.9/,
  });
});

test('.gz files load equal to plain ones', (t) => {
  const plainDir = fakeDir();
  const gzDir = mkdtempSync(join(tmpdir(), 'dgan-idx-gz-'));
  for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']) {
    writeFileSync(join(gzDir, `${name}.gz`), gzipSync(readFileSync(join(plainDir, name))));
  }
  const plain = loadMnist(plainDir, 'train');
  const gz = loadMnist(gzDir, 'train');
  t.deepEqual({ ...gz, images: [...gz.images], labels: [...gz.labels] }, {
    ...plain,
    images: [...plain.images],
    labels: [...plain.labels],
  });
});

test('corrupt .gz is a UserError naming the file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dgan-idx-badgz-'));
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), Uint8Array.of(0x1f, 0x8b, 1, 2, 3, 4, 5));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([3], Uint8Array.of(7, 0, 9)));
  t.throws(() => loadMnist(dir, 'train'), {
    instanceOf: UserError,
    message: /train-images-idx3-ubyte\.gz: corrupt gzip/,
  });
});

test('missing directory is a UserError naming it and what is expected', (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'dgan-idx-')), 'no-such-dir');
  t.throws(() => loadMnist(dir, 'train'), {
    instanceOf: UserError,
    message: /no-such-dir: MNIST directory not found; expected the four MNIST IDX files.*plain or \.gz/,
  });
});

test('missing file is a UserError naming it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dgan-idx-'));
  mkdirSync(join(dir, 'empty'));
  t.throws(() => loadMnist(join(dir, 'empty'), 't10k'), {
    instanceOf: UserError,
    message: /empty: missing t10k-images-idx3-ubyte \(or t10k-images-idx3-ubyte\.gz\)/,
  });
});
