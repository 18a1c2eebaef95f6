/** Parsers for command-line values: a bad value is a one-line usage error naming the option. */
import { InvalidArgumentError } from 'commander';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export function int(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer >= ${min}.`);
    return n;
  };
}

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
