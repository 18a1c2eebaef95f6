/**
 * NumPy's .npy format, version 1.0, for float32 arrays: what `numpy.load`
 * reads with no pickle and no copy. The layout is fixed by the spec
 * (numpy.lib.format): the magic "\x93NUMPY", version 1.0, a little-endian
 * uint16 header length, an ASCII Python-literal dict padded with spaces and a
 * final newline so that the data starts at a multiple of 64 bytes, then the
 * data in C order.
 */
import { endianness } from 'node:os';

const MAGIC = Buffer.from([0x93, ...Buffer.from('NUMPY')]);
const ALIGN = 64;
/** Magic, two version bytes, the uint16 header length. */
const PREAMBLE = MAGIC.length + 2 + 2;

/** Python's repr of a shape tuple: (n,) for one dimension. */
function shapeTuple(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

export function npyHeader(shape: number[]): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeTuple(shape)}, }`;
  const padded = dict.padEnd(Math.ceil((PREAMBLE + dict.length + 1) / ALIGN) * ALIGN - PREAMBLE - 1, ' ') + '\n';
  const out = Buffer.alloc(PREAMBLE + padded.length);
  MAGIC.copy(out, 0);
  out[MAGIC.length] = 1; // major
  out[MAGIC.length + 1] = 0; // minor
  out.writeUInt16LE(padded.length, MAGIC.length + 2);
  out.write(padded, PREAMBLE, 'latin1');
  return out;
}

/** A float32 array of the given shape (C order) as .npy bytes. */
export function encodeNpy(data: Float32Array, shape: number[]): Buffer {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new RangeError(`encodeNpy: shape [${shape.join(', ')}] holds ${size} values, got ${data.length}`);
  let body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (endianness() === 'BE') {
    body = Buffer.alloc(data.byteLength); // the header says '<f4': little-endian whatever the machine
    for (let i = 0; i < data.length; i++) body.writeFloatLE(data[i], 4 * i);
  }
  return Buffer.concat([npyHeader(shape), body]);
}

/** What numpy writes for float arrays: '<f4' is read as is, '<f8' (numpy's default) rounded to float32. */
const READABLE: Record<string, number> = { '<f4': 4, '<f8': 8 };

/**
 * A .npy file of float32 or float64 values in C order, as float32; anything
 * else (another dtype, Fortran order, a pickle, a cut-off file) is a
 * NpyError naming what is wrong.
 */
export function decodeNpy(bytes: Uint8Array): { data: Float32Array; shape: number[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < PREAMBLE || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new NpyError('not a .npy file (no \\x93NUMPY magic)');
  const major = buf[MAGIC.length];
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = 8 + lengthBytes + headerLength;
  if (buf.length < start) throw new NpyError('cut off inside its header');
  const dict = buf.subarray(8 + lengthBytes, start).toString('latin1');
  const descr = /'descr':\s*'([^']*)'/.exec(dict)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr === undefined || shapeText === undefined) throw new NpyError(`unreadable header ${JSON.stringify(dict.trim())}`);
  if (/'fortran_order':\s*True/.test(dict)) throw new NpyError('in Fortran order; save it with numpy.ascontiguousarray');
  const itemSize = READABLE[descr];
  if (!itemSize) throw new NpyError(`dtype ${descr}; save it as little-endian float32 (array.astype('<f4'))`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const size = shape.reduce((a, b) => a * b, 1);
  const dataBytes = buf.length - start;
  if (dataBytes < size * itemSize) throw new NpyError(`cut off: shape (${shape.join(', ')}) needs ${size * itemSize} bytes of data, the file has ${dataBytes}`);
  if (dataBytes > size * itemSize) throw new NpyError(`damaged: shape (${shape.join(', ')}) needs ${size * itemSize} bytes of data, the file has ${dataBytes} (more than its header says)`);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = itemSize === 4 ? buf.readFloatLE(start + 4 * i) : buf.readDoubleLE(start + 8 * i);
  return { data, shape };
}

export class NpyError extends Error {}
