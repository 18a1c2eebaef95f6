/** Parsers for command-line values: a bad value is a one-line usage error naming the option. */
import { InvalidArgumentError } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname } from 'node:path';
import { CHECKPOINT_FILE } from '../train/checkpoint.js';
import { fileURLToPath } from 'node:url';

export function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer ${range}.`);
    return n;
  };
}

/**
 * Each worker is a thread with its own WASM heap (about 50 MB): past a few per
 * core they only add memory and switching, and a typo like --workers 999
 * would take the machine down.
 */
export const MAX_WORKERS = 64;

/** Seeds key 32-bit streams (src/rng.ts): larger values would alias smaller ones. */
export const MAX_SEED = 0xffffffff;

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number > 0.');
  return n;
}

export const CORES = availableParallelism();

/** Files shipped with the package, found from the compiled module (dist/src/commands/). */
export function packagePath(relative: string): string {
  return fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
}

export const DEFAULT_CONFIG = 'configs/mnist-vanilla.json';

/** --checkpoint takes a run directory, or its checkpoint.dgan itself. */
export function runDir(value: string): string {
  if (!existsSync(value) || !statSync(value).isFile()) return value;
  if (basename(value) !== CHECKPOINT_FILE) throw new InvalidArgumentError(`${value} is a file, not a run directory or its ${CHECKPOINT_FILE}; a checkpoint is read from its run directory under that name.`);
  return dirname(value);
}
