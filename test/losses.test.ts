import test from 'ava';
import { bceSumAndGrad, meanBce, sigmoid } from '../src/model/losses.js';
import { fixture } from './helpers/fixtures.js';

const ref = fixture('losses.json');

test('BCE with logits matches PyTorch, extremes included', (t) => {
  t.true(Math.abs(meanBce(ref.logits, 1) - ref.real_loss) < 1e-12);
  t.true(Math.abs(meanBce(ref.logits, 0.9) - ref.real_loss_smooth) < 1e-12);
  t.true(Math.abs(meanBce(ref.logits, 0) - ref.fake_loss) < 1e-12);
});

test('the BCE gradient is the finite difference of the loss', (t) => {
  const logits = Float32Array.of(-3, -0.2, 0, 0.4, 5);
  const grad = new Float32Array(logits.length);
  bceSumAndGrad(logits, 0.9, 0.5, grad);
  const h = 1e-4;
  logits.forEach((x, i) => {
    const numeric = (0.5 * (meanBce([x + h], 0.9) - meanBce([x - h], 0.9))) / (2 * h);
    t.true(Math.abs(grad[i] - numeric) < 1e-6, `logit ${x}`);
  });
});

test('sigmoid is finite at the extremes', (t) => {
  t.is(sigmoid(-1000), 0);
  t.is(sigmoid(1000), 1);
});
