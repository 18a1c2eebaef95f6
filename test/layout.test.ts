import test from 'ava';
import { DEFAULTS } from '../src/config.js';
import { discriminatorSpec, generatorSpec, transposeWeights } from '../src/model/layout.js';

for (const spec of [generatorSpec(DEFAULTS.model), discriminatorSpec(DEFAULTS.model)]) {
  test(`${spec.name}: transposeWeights in any slicing equals the plain transpose of every weight`, (t) => {
    const n = spec.size;
    const src = Float32Array.from({ length: n }, (_, i) => i);
    const expected = new Float32Array(n);
    spec.slots.forEach((slot, s) => {
      if (s % 2 === 1) return expected.set(src.subarray(slot.offset, slot.offset + slot.size), slot.offset);
      const [rows, cols] = slot.shape;
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expected[slot.offset + j * rows + i] = src[slot.offset + i * cols + j];
    });
    const w1 = spec.slots[2].offset; // inside fc2's weight, across row and slot boundaries
    for (const cuts of [[0, n], [0, 1, 2, w1 - 1, w1 + 3, w1 + 1000, n], [0, Math.floor(n / 3), Math.floor((2 * n) / 3), n]]) {
      const dst = new Float32Array(n).fill(-1);
      for (let k = 0; k + 1 < cuts.length; k++) transposeWeights(spec, src, dst, cuts[k], cuts[k + 1]);
      t.true(Buffer.from(dst.buffer).equals(Buffer.from(expected.buffer)), `cuts ${cuts.join(',')}`);
    }
  });
}
