/**
 * The run directory, the only place training writes to (and only the
 * coordinator writes): config.json, log.jsonl, samples/epoch-NNN.png (and
 * step-NNNNNN.png at a mid-epoch stop), checkpoint.dgan, summary.json,
 * report.html with its figures.
 */
import { appendFileSync, existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkOutFolder, makeFolders } from '../outputs.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import type { LogRecord } from './records.js';
import { encodePng, gridImage } from '../report/grid.js';
import { CHECKPOINT_FILE } from './checkpoint.js';

/** A run's files beside config.json, log.jsonl, checkpoint.dgan and the rest. */
const SAMPLES_DIR = 'samples';
export const REPORT_FILE = 'report.html';
export const LOSSES_FILE = 'losses.png';
export const SCORES_FILE = 'scores.png';
export const PROGRESSION_FILE = 'progression.png';
const REPORT_FILES = [REPORT_FILE, LOSSES_FILE, SCORES_FILE, PROGRESSION_FILE];

export const SAMPLE_ROWS = 2;
export const SAMPLE_COLS = 8;

export function defaultRunDir(now = new Date()): string {
  return join('runs', now.toISOString().replace(/[:.]/g, '-').slice(0, 19));
}

/** Every file and folder a run writes: no other command's output may replace one. */
export function runFiles(dir: string): string[] {
  return ['config.json', 'data.json', 'log.jsonl', CHECKPOINT_FILE, 'summary.json', SAMPLES_DIR, ...REPORT_FILES].map((f) => join(dir, f));
}

const isRunDir = (dir: string) => [CHECKPOINT_FILE, 'log.jsonl'].some((f) => existsSync(join(dir, f)));

/**
 * The files of every run that holds `path` (a folder above it, or above the
 * file a link at `path` points to, with a checkpoint or a log): an output
 * written there must not replace one, though it may sit beside them.
 */
export function runFilesAround(path: string): string[] {
  const runs: string[] = [];
  for (let dir = dirname(existsSync(path) ? realpathSync(path) : resolve(path)); ; dir = dirname(dir)) {
    if (isRunDir(dir)) runs.push(dir);
    if (dirname(dir) === dir) return runs.flatMap(runFiles);
  }
}

/** Refuses a directory that cannot be written or already holds a run; creates nothing. */
export function checkNewRunDir(dir: string): void {
  checkOutFolder(dir);
  if (existsSync(dir)) {
    if (existsSync(join(dir, CHECKPOINT_FILE))) throw new UserError(`${dir} already holds a run; continue it with --resume ${dir} or choose another --out`);
    if (readdirSync(dir).length > 0) throw new UserError(`output folder ${dir} is not empty; choose another --out`);
  }
}

export class RunDir {
  constructor(readonly path: string) {
    makeFolders(join(path, SAMPLES_DIR));
  }

  writeJson(name: string, value: unknown): void {
    writeFileAtomic(join(this.path, name), JSON.stringify(value, null, 2) + '\n');
  }

  /** One record per line; a line is appended whole or not at all. */
  log(record: LogRecord): void {
    appendFileSync(join(this.path, 'log.jsonl'), JSON.stringify(record) + '\n');
  }

  /** The 16 fixed-z digits as a 2×8 grid, samples/<name>.png. */
  writeSamples(name: string, pixels: Float32Array, side: number): string {
    const path = join(this.path, SAMPLES_DIR, `${name}.png`);
    writeFileAtomic(path, encodePng(gridImage(pixels, SAMPLE_ROWS * SAMPLE_COLS, side, SAMPLE_COLS)));
    return path;
  }
}
