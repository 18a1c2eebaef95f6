import test from 'ava';
import { DEFAULTS } from '../src/config.js';
import { initBounds, initParams } from '../src/model/init.js';
import { discriminatorSpec, generatorSpec, slotView } from '../src/model/layout.js';
import { fixture } from './helpers/fixtures.js';

const ref = fixture('init.json');
const specs = [generatorSpec(DEFAULTS.model), discriminatorSpec(DEFAULTS.model)];

for (const spec of specs) {
  test(`${spec.name}: uniform bounds of every layer match PyTorch`, (t) => {
    initBounds(spec).forEach((b, i) => {
      const layer = ref[spec.name][`fc${i + 1}`];
      t.is(spec.layers[i].in, layer.in);
      t.is(spec.layers[i].out, layer.out);
      t.true(Math.abs(b.weight - layer.weight_uniform_bound) < 1e-12);
      t.true(Math.abs(b.bias - layer.bias_uniform_bound) < 1e-12);
    });
  });

  test(`${spec.name}: initial values fill their bounds and are seeded`, (t) => {
    const flat = initParams(spec, 7);
    const bounds = initBounds(spec);
    spec.slots.forEach((slot, s) => {
      const a = s % 2 === 0 ? bounds[s >> 1].weight : bounds[s >> 1].bias;
      const v = slotView(flat, slot);
      const max = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      t.true(max <= a, `${slot.name} within ±${a}`);
      if (slot.size >= 256) t.true(max > 0.95 * a, `${slot.name} spreads to its bound`);
    });
    const bytes = (a: Float32Array) => Buffer.from(a.buffer);
    t.true(bytes(initParams(spec, 7)).equals(bytes(flat)));
    t.false(bytes(initParams(spec, 8)).equals(bytes(flat)));
  });
}
