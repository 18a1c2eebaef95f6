/**
 * The article's progression figure: the 16 fixed-z digits after every 10th
 * epoch, one row per epoch, and the last epoch; built from the saved
 * samples/epoch-NNN.png grids, so it needs no model and works on any run.
 */
import { SAMPLE_COLS, SAMPLE_ROWS } from '../train/rundir.js';
import { type RgbaImage, gridCells, gridImage } from './grid.js';

export const PROGRESSION_EVERY = 10;
/** All the fixed-z digits of one epoch on one row. */
export const PROGRESSION_COLS = SAMPLE_ROWS * SAMPLE_COLS;

/** Every 10th epoch and the last, of the epochs that have grids; all of them when there are fewer than 10. */
export function progressionEpochs(available: Iterable<number>): number[] {
  const epochs = [...new Set(available)].sort((a, b) => a - b);
  const last = epochs.at(-1);
  if (last === undefined || last < PROGRESSION_EVERY) return epochs;
  return epochs.filter((e) => e % PROGRESSION_EVERY === 0 || e === last);
}

/** The digits of one saved 2×8 grid, in order, as values in [−1, 1]. */
export function sampleCells(grid: RgbaImage, side: number): Float32Array {
  return gridCells(grid, PROGRESSION_COLS, side, SAMPLE_COLS);
}

/** Rows of digits (one Float32Array of 16 images each) as one picture, a row per entry. */
export function progressionImage(rows: Float32Array[], side: number): RgbaImage {
  const all = new Float32Array(rows.length * PROGRESSION_COLS * side * side);
  rows.forEach((r, i) => all.set(r, i * r.length));
  return gridImage(all, rows.length * PROGRESSION_COLS, side, PROGRESSION_COLS);
}
