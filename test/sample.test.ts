import test from 'ava';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { NpyError, decodeNpy, encodeNpy, npyHeader } from '../src/report/npy.js';
import { describe, listTree, runCli, tempDir, tinyRun } from './helpers/tiny.js';

const PIXELS = 28 * 28;

// One tiny run for the whole file, made when a test first asks for it.
const runs = tempDir();
let tiny: Promise<string> | undefined;
const tinyRunDir = () => (tiny ??= tinyRun(runs));
test.after.always(() => rmSync(runs, { recursive: true, force: true }));

interface Npy {
  version: [number, number];
  headerLength: number;
  dict: string;
  shape: number[];
  data: Float32Array;
}

/** Reads .npy bytes the way numpy.lib.format does, checking the spec's invariants on the way. */
function readNpy(bytes: Buffer): Npy {
  if (!bytes.subarray(0, 6).equals(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]))) throw new Error('bad magic');
  const headerLength = bytes.readUInt16LE(8);
  const dict = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const m = /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(([\d, ]*)\), \} *\n$/.exec(dict);
  if (!m) throw new Error(`unexpected header ${JSON.stringify(dict)}`);
  const shape = m[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const body = bytes.subarray(10 + headerLength);
  const data = new Float32Array(body.length / 4);
  for (let i = 0; i < data.length; i++) data[i] = body.readFloatLE(4 * i);
  return { version: [bytes[6], bytes[7]], headerLength, dict, shape, data };
}

test('npy header: version 1.0, dict padded with spaces and a newline to a multiple of 64 bytes', (t) => {
  for (const shape of [[5], [64, 784], [1, 2, 3], [123456789, 784]]) {
    const h = npyHeader(shape);
    t.is(h.length % 64, 0, `[${shape}]`);
    t.deepEqual([h[6], h[7]], [1, 0]);
    t.is(h.readUInt16LE(8), h.length - 10);
    t.is(h[h.length - 1], 0x0a);
  }
  t.regex(npyHeader([5]).toString('latin1'), /'shape': \(5,\), \}/, 'a 1-tuple has its comma');
  const npy = readNpy(encodeNpy(Float32Array.of(1, -1, 0.5, 0, -0.25, 0.75), [2, 3]));
  t.deepEqual(npy.shape, [2, 3]);
  t.deepEqual([...npy.data], [1, -1, 0.5, 0, -0.25, 0.75]);
  t.throws(() => encodeNpy(new Float32Array(5), [2, 3]), { instanceOf: RangeError });
});

/** A version 1.0 .npy file with this header dict, as numpy.save writes it. */
function npyBytes(dict: string, body: Buffer): Buffer {
  const padded = dict.padEnd(Math.ceil((10 + dict.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
  const length = Buffer.alloc(2);
  length.writeUInt16LE(padded.length);
  return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), length, Buffer.from(padded, 'latin1'), body]);
}

test("decodeNpy reads dgan's float32 files back, and numpy's float64 ones rounded to float32", (t) => {
  const values = Float32Array.of(1, -1, 0.5, 0, -0.25, 0.1);
  t.deepEqual(decodeNpy(encodeNpy(values, [3, 2])), { data: values, shape: [3, 2] });
  // numpy.save of numpy.array([[0.1, -2.5]]): float64
  const body = Buffer.alloc(16);
  body.writeDoubleLE(0.1, 0);
  body.writeDoubleLE(-2.5, 8);
  const f64 = decodeNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", body));
  t.deepEqual(f64.shape, [1, 2]);
  t.deepEqual([...f64.data], [Math.fround(0.1), -2.5]);
  t.throws(() => decodeNpy(npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (1, 2), }", body)), { instanceOf: NpyError, message: /Fortran order/ });
});

test('dgan sample: a PNG grid and an N×784 float32 .npy in [−1, 1], repeatable by seed', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = await tinyRunDir();
  const sample = async (...args: string[]) => {
    const r = await runCli(['sample', '--checkpoint', run, ...args]);
    t.is(r.code, 0, describe(r));
    return r;
  };

  await sample('--out', join(dir, 'grid.png'));
  const grid = PNG.sync.read(readFileSync(join(dir, 'grid.png')));
  t.deepEqual([grid.width, grid.height], [8 * 28 + 9 * 2, 8 * 28 + 9 * 2], '64 digits, 8 columns by default');
  await sample('--n', '10', '--cols', '4', '--out', join(dir, 'deeper', 'ten.png'));
  const ten = PNG.sync.read(readFileSync(join(dir, 'deeper', 'ten.png')));
  t.deepEqual([ten.width, ten.height], [4 * 28 + 5 * 2, 3 * 28 + 4 * 2], '10 digits in 4 columns: 3 rows; missing folders made');

  const r = await sample('--n', '64', '--format', 'npy', '--out', join(dir, 'a.npy'), '--seed', '7');
  t.regex(r.stdout, /64 samples \(seed 7\)/);
  const bytes = readFileSync(join(dir, 'a.npy'));
  const npy = readNpy(bytes);
  t.deepEqual(npy.version, [1, 0]);
  t.is((10 + npy.headerLength) % 64, 0, 'data 64-byte aligned');
  t.deepEqual(npy.shape, [64, PIXELS]);
  t.is(npy.data.length, 64 * PIXELS, 'exactly the data the shape says');
  t.true(npy.data.every((v) => Number.isFinite(v) && v >= -1 && v <= 1), 'values in [−1, 1]');
  t.true(new Set(npy.data).size > 100, 'not a constant');

  await sample('--n', '64', '--format', 'npy', '--out', join(dir, 'b.npy'), '--seed', '7');
  t.true(readFileSync(join(dir, 'b.npy')).equals(bytes), 'the same seed draws the same digits');
  await sample('--n', '8', '--format', 'npy', '--out', join(dir, 'c.npy'), '--seed', '7');
  t.deepEqual(readNpy(readFileSync(join(dir, 'c.npy'))).data, npy.data.subarray(0, 8 * PIXELS), 'image i does not depend on --n');
  await sample('--n', '8', '--format', 'npy', '--out', join(dir, 'd.npy'), '--seed', '8');
  t.notDeepEqual(readNpy(readFileSync(join(dir, 'd.npy'))).data, npy.data.subarray(0, 8 * PIXELS), 'another seed, other digits');
});

test('dgan sample: bad input is a one-line error, exit 2, and nothing written', async (t) => {
  const dir = tempDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = await tinyRunDir();
  const out = join(dir, 'out');
  mkdirSync(out);
  writeFileSync(join(dir, 'file'), '');
  const before = listTree(dir);
  const cases: [string[], RegExp][] = [
    [['--checkpoint', join(dir, 'nope'), '--out', join(out, 'a.png')], /no checkpoint in/],
    [['--checkpoint', run, '--n', '0', '--out', join(out, 'a.png')], /--n.*must be an integer in \[1, 100000\]/],
    [['--checkpoint', run, '--n', 'many', '--out', join(out, 'a.png')], /--n.*must be an integer/],
    [['--checkpoint', run, '--format', 'jpg', '--out', join(out, 'a.jpg')], /--format.*png, npy/],
    [['--checkpoint', run, '--out', join(dir, 'file', 'a.png')], /is not a folder you can write to/],
    [['--checkpoint', run, '--out', out], /is a folder/],
    [['--checkpoint', run, '--seed', '-1', '--out', join(out, 'a.png')], /--seed/],
    [['--out', join(out, 'a.png')], /--checkpoint.*not specified/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['sample', ...args]);
    t.is(r.code, 2, `${args.join(' ')}: ${describe(r)}`);
    t.regex(r.stderr.split('\n')[0], message, args.join(' '));
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  }
  t.deepEqual(listTree(dir), before, 'nothing written');
});
