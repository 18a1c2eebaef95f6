// Tiles generated grayscale images into one RGBA picture and encodes it as PNG.
import { PNG } from 'pngjs';

/** Black border around and between the cells of a grid, in pixels. */
export const GRID_PAD = 2;

export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * Lays `count` side×side images (values in [-1, 1], row-major, consecutive) on a
 * grid with `cols` columns, separated and surrounded by `pad` px of black.
 */
export function gridImage(pixels: Float32Array, count: number, side: number, cols: number, pad = GRID_PAD): RgbaImage {
  if (pixels.length < count * side * side) {
    throw new RangeError(`gridImage: need ${count * side * side} values, got ${pixels.length}`);
  }
  const gridRows = Math.ceil(count / cols);
  const width = cols * side + (cols + 1) * pad;
  const height = gridRows * side + (gridRows + 1) * pad;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255; // opaque black background

  for (let n = 0; n < count; n++) {
    const x0 = pad + (n % cols) * (side + pad);
    const y0 = pad + Math.floor(n / cols) * (side + pad);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const v = Math.min(1, Math.max(-1, pixels[n * side * side + y * side + x]));
        const gray = Math.round(((v + 1) / 2) * 255);
        const o = ((y0 + y) * width + x0 + x) * 4;
        rgba[o] = rgba[o + 1] = rgba[o + 2] = gray;
      }
    }
  }
  return { width, height, rgba };
}

export function encodePng(img: RgbaImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.rgba.buffer, img.rgba.byteOffset, img.rgba.byteLength);
  return PNG.sync.write(png);
}

export function decodePng(bytes: Buffer): RgbaImage {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

/**
 * The inverse of gridImage: the `count` cells of a grid read back as values in
 * [-1, 1] (from the red channel), so that saved grids can be laid out again.
 * Gray levels survive the round trip exactly.
 */
export function gridCells(img: RgbaImage, count: number, side: number, cols: number, pad = GRID_PAD): Float32Array {
  const gridRows = Math.ceil(count / cols);
  if (img.width !== cols * side + (cols + 1) * pad || img.height < gridRows * side + (gridRows + 1) * pad) {
    throw new RangeError(`gridCells: a ${img.width}×${img.height} image is not a grid of ${count} ${side}px cells in ${cols} columns`);
  }
  const out = new Float32Array(count * side * side);
  for (let n = 0; n < count; n++) {
    const x0 = pad + (n % cols) * (side + pad);
    const y0 = pad + Math.floor(n / cols) * (side + pad);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) out[n * side * side + y * side + x] = (img.rgba[((y0 + y) * img.width + x0 + x) * 4] / 255) * 2 - 1;
    }
  }
  return out;
}
