import test from 'ava';
import { adamState, adamUpdate } from '../src/optim/adam.js';
import { fixture, maxRelError } from './helpers/fixtures.js';

const ref = fixture('adam.json');
const hyper = { betas: ref.betas, eps: ref.eps };

test('six Adam steps match torch.optim.Adam', (t) => {
  const params = Float32Array.from(ref.initial as number[]);
  const { m, v } = adamState(params.length);
  const buffers = { params, m, v };
  ref.steps.forEach((step: { grad: number[]; params_after: number[] }, i: number) => {
    adamUpdate(buffers, buffers, Float32Array.from(step.grad), i + 1, ref.lr, hyper);
    t.true(maxRelError(params, step.params_after, 1e-4) < 1e-5, `step ${i + 1}`);
  });
});

test('an update out of place leaves its inputs as they were, and slices give the same bits as the whole', (t) => {
  const n = 1000;
  const grad = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
  const src = { params: Float32Array.from({ length: n }, (_, i) => Math.cos(i)), m: new Float32Array(n).fill(0.01), v: new Float32Array(n).fill(0.02) };
  const before = { params: src.params.slice(), m: src.m.slice(), v: src.v.slice() };
  const whole = adamState(n), sliced = adamState(n);
  const dstWhole = { params: new Float32Array(n), m: whole.m, v: whole.v };
  const dstSliced = { params: new Float32Array(n), m: sliced.m, v: sliced.v };
  adamUpdate(src, dstWhole, grad, 3, 1e-3, hyper);
  for (const [from, to] of [[0, 333], [333, 512], [512, n]]) adamUpdate(src, dstSliced, grad, 3, 1e-3, hyper, from, to);
  t.deepEqual(src, before);
  t.true(Buffer.from(dstWhole.params.buffer).equals(Buffer.from(dstSliced.params.buffer)));
  t.true(Buffer.from(dstWhole.v.buffer).equals(Buffer.from(dstSliced.v.buffer)));
  t.notDeepEqual(dstWhole.params, src.params);
});
