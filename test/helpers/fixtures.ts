import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Test fixtures live in test/fixtures (the sources, not dist/). */
export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(FIXTURES + name, 'utf8')) as T;
}

/** Largest |a−b| / max(|b|, floor) over two arrays: relative error with an absolute floor near zero. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return worst;
}
