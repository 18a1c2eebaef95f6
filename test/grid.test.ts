import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { encodePng, gridImage } from '../src/report/grid.js';
import { writeFileAtomic } from '../src/fsutil.js';

// Three 2×2 images: all -1, all 1, and [0, -1, 1, 0.5].
const pixels = Float32Array.of(-1, -1, -1, -1, 1, 1, 1, 1, 0, -1, 1, 0.5);

function gray(img: { width: number; rgba: Uint8Array }, x: number, y: number): number[] {
  const o = (y * img.width + x) * 4;
  return [...img.rgba.subarray(o, o + 4)];
}

test('gridImage lays images out with padding and maps [-1, 1] to gray', (t) => {
  const img = gridImage(pixels, 3, 2, 2, 1);
  // 2 cols, ceil(3/2) = 2 rows: 2*2 + 3*1 = 7 both ways.
  t.is(img.width, 7);
  t.is(img.height, 7);
  t.is(img.rgba.length, 7 * 7 * 4);
  t.deepEqual(gray(img, 0, 0), [0, 0, 0, 255]); // border
  t.deepEqual(gray(img, 1, 1), [0, 0, 0, 255]); // image 0, -1
  t.deepEqual(gray(img, 4, 1), [255, 255, 255, 255]); // image 1 top-left
  t.deepEqual(gray(img, 5, 2), [255, 255, 255, 255]); // image 1 bottom-right
  t.deepEqual(gray(img, 3, 1), [0, 0, 0, 255]); // padding between columns
  t.deepEqual(gray(img, 1, 4), [128, 128, 128, 255]); // image 2, 0 -> round(127.5)
  t.deepEqual(gray(img, 2, 4), [0, 0, 0, 255]); // image 2, -1
  t.deepEqual(gray(img, 1, 5), [255, 255, 255, 255]); // image 2, 1
  t.deepEqual(gray(img, 2, 5), [191, 191, 191, 255]); // image 2, 0.5 -> round(191.25)
  t.deepEqual(gray(img, 4, 4), [0, 0, 0, 255]); // empty 4th cell
});

test('gridImage clamps values outside [-1, 1]', (t) => {
  const img = gridImage(Float32Array.of(-5, 7, 0, 0), 1, 2, 1, 0);
  t.deepEqual(gray(img, 0, 0), [0, 0, 0, 255]);
  t.deepEqual(gray(img, 1, 0), [255, 255, 255, 255]);
});

test('encodePng round-trips through PNG.sync.read', (t) => {
  const img = gridImage(pixels, 3, 2, 2, 1);
  const back = PNG.sync.read(encodePng(img));
  t.is(back.width, img.width);
  t.is(back.height, img.height);
  t.deepEqual([...back.data], [...img.rgba]);
});

test('writeFileAtomic overwrites and leaves no temp file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dgan-fsutil-'));
  const path = join(dir, 'out.txt');
  writeFileAtomic(path, 'first');
  writeFileAtomic(path, Uint8Array.from(Buffer.from('second')));
  t.is(readFileSync(path, 'utf8'), 'second');
  t.deepEqual(readdirSync(dir), ['out.txt']);
  t.false(existsSync(`${path}.tmp-${process.pid}`));
});

test('writeFileAtomic failure removes the temp file and rethrows', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dgan-fsutil-'));
  // The temp file gets written, then renaming it over a non-empty directory fails.
  const target = join(dir, 'target');
  mkdirSync(target);
  writeFileSync(join(target, 'keep'), 'k');
  t.throws(() => writeFileAtomic(target, 'y'));
  t.deepEqual(readdirSync(dir), ['target']);
});
