// Reader for the IDX format used by the MNIST files (http://yann.lecun.com/exdb/mnist/):
// 2 zero bytes, a type byte (0x08 = unsigned byte), a dim count byte, then one
// big-endian uint32 per dim, then the data, row-major.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors.js';

const UBYTE = 0x08;
const MAX_DIMS = 4;
/** The usual cause of a short or long file: an interrupted download or copy. */
const REPLACE = 'replace it with a complete copy';

/** Parses an unsigned-byte IDX file. `data` is a view into `bytes`, not a copy. */
export function parseIdx(bytes: Uint8Array, name: string): { dims: number[]; data: Uint8Array } {
  if (bytes.length < 4) {
    throw new UserError(`${name}: too short for an IDX file: ${bytes.length} bytes; ${REPLACE}`);
  }
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== UBYTE || ndims < 1 || ndims > MAX_DIMS) {
    const got = Array.from(bytes.subarray(0, 4), (b) => '0x' + b.toString(16).padStart(2, '0')).join(' ');
    // A gzipped file whose name lacks .gz is read as plain bytes: say so rather than "not IDX".
    const fix = bytes[0] === 0x1f && bytes[1] === 0x8b ? `it is gzipped: rename it to ${basename(name)}.gz` : 'give an MNIST IDX file';
    throw new UserError(
      `${name}: bad magic ${got}: expected 0x00 0x00 0x08 and a dim count 1..${MAX_DIMS} (an unsigned-byte IDX file); ${fix}`,
    );
  }
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen) {
    throw new UserError(`${name}: truncated header: expected ${headerLen} bytes, found ${bytes.length}; ${REPLACE}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerLen);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = headerLen + dims.reduce((a, b) => a * b, 1);
  if (bytes.length < expected) {
    throw new UserError(`${name}: truncated: expected ${expected} bytes, found ${bytes.length}; ${REPLACE}`);
  }
  if (bytes.length > expected) {
    throw new UserError(
      `${name}: trailing data: expected ${expected} bytes for dims [${dims.join(', ')}], found ${bytes.length}; ${REPLACE}`,
    );
  }
  return { dims, data: bytes.subarray(headerLen) };
}

/** Reads a file's bytes, gunzipping it when the name ends in `.gz`. */
export function readIdxFile(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(err)})`;
    throw new UserError(`${path}: ${why}; it must be a readable IDX file`);
  }
  if (!path.endsWith('.gz')) return raw;
  try {
    return gunzipSync(raw);
  } catch (err) {
    throw new UserError(`${path}: corrupt gzip data (${(err as Error).message}); ${REPLACE}`);
  }
}
