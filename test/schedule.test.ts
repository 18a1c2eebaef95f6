import test from 'ava';
import { DEFAULTS } from '../src/config.js';
import { lrAt } from '../src/optim/schedule.js';
import { fixture, maxRelError } from './helpers/fixtures.js';

const ref = fixture('schedule.json');

for (const net of ['d', 'g'] as const) {
  test(`MultiStepLR of ${net.toUpperCase()} matches PyTorch for all 100 epochs`, (t) => {
    const schedule = DEFAULTS.optim[net];
    t.deepEqual(schedule.milestones, ref[net].milestones);
    const lrs = (ref[net].per_epoch as number[]).map((_, epoch) => lrAt(schedule, epoch));
    t.true(maxRelError(lrs, ref[net].per_epoch) < 1e-12);
  });
}
