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
