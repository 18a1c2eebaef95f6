import test from 'ava';
import { adamState, adamStep } from '../src/optim/adam.js';
import { fixture, maxRelError } from './helpers/fixtures.js';

const ref = fixture('adam.json');

test('six Adam steps match torch.optim.Adam', (t) => {
  const params = Float32Array.from(ref.initial as number[]);
  const state = adamState(params.length);
  for (const step of ref.steps) {
    adamStep(params, Float32Array.from(step.grad as number[]), state, ref.lr, { betas: ref.betas, eps: ref.eps });
    t.true(maxRelError(params, step.params_after, 1e-4) < 1e-5, `step ${state.t}`);
  }
  t.is(state.t, 6);
});

test('gradScale scales the gradient before the update', (t) => {
  const a = Float32Array.of(1, 2), b = Float32Array.of(1, 2);
  const sa = adamState(2), sb = adamState(2);
  adamStep(a, Float32Array.of(0.5, -1), sa, 0.01, { betas: [0.9, 0.99], eps: 1e-8 });
  adamStep(b, Float32Array.of(1, -2), sb, 0.01, { betas: [0.9, 0.99], eps: 1e-8 }, 0.5);
  t.deepEqual(a, b);
  t.deepEqual(sa.v, sb.v);
});
