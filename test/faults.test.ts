/**
 * Faults during training, through the real CLI: a replica that throws, exits
 * or hangs is replaced and its task rerun, and the run ends with the same
 * parameters as a clean one; repeated failures, a NaN and SIGINT stop the run
 * with the last good checkpoint kept. Tiny model; 120 images in batches of 24
 * (5 batches an epoch), micro_batch 8, 2 workers.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, describe, limited, readSummary, runCli, tempDir, writeConfig, writeMnistSubset } from './helpers/tiny.js';

const STEPS = 6;
const dir = tempDir('dgan-faults-');
const data = writeMnistSubset(join(dir, 'data'), 120);
const config = writeConfig(dir, { train: { batch_size: 24, micro_batch: 8, seed: 11 } });
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
const newOut = () => join(dir, `run-${++runs}`);
const train = (out: string, args: string[], fault?: string) =>
  runCli(['train', '--data', data, '--config', config, '--out', out, '--workers', '2', ...args], fault ? { DGAN_TEST_FAULT: fault } : {});

const clean = (async () => {
  const out = newOut();
  const r = await train(out, ['--max-steps', `${STEPS}`]);
  if (r.code !== 0) throw new Error(describe(r));
  return readSummary(out).params_sha256;
})();

for (const [fault, extra] of [
  ['throw@D:2', []],
  ['exit@G:3', []],
  ['hang@D:4', ['--step-timeout', '3']],
] as const) {
  test(`a replica that does ${fault} is replaced, and the run ends as a clean one`, async (t) => {
    const out = newOut();
    const r = await train(out, ['--max-steps', `${STEPS}`, ...extra], fault);
    t.is(r.code, 0, describe(r));
    t.regex(r.stdout + r.stderr, /warning: worker failed at the [DG] phase of step \d+/);
    t.is(readSummary(out).params_sha256, await clean);
  });
}

test('failures in a row stop the run with a clear message and the last checkpoint intact', async (t) => {
  const out = newOut();
  t.is((await train(out, ['--max-steps', '3'])).code, 0);
  const before = readFileSync(join(out, 'checkpoint.dgan'));
  const r = await runCli(['train', '--resume', out, '--max-steps', `${STEPS}`, '--workers', '2', '--max-failures', '3', '--data', data], { DGAN_TEST_FAULT: 'throw@G:4!' });
  t.is(r.code, 1, describe(r));
  t.regex(r.stderr, /training stopped: workers failed 3 times in a row .* G phase of step 4.*last checkpoint is kept/);
  t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  t.true(readFileSync(join(out, 'checkpoint.dgan')).equals(before));
});

test('a NaN gradient stops the run with the step number and the last good checkpoint kept', async (t) => {
  const out = newOut();
  t.is((await train(out, ['--max-steps', '2'])).code, 0);
  const before = readFileSync(join(out, 'checkpoint.dgan'));
  const r = await runCli(['train', '--resume', out, '--max-steps', `${STEPS}`, '--workers', '2', '--data', data], { DGAN_TEST_FAULT: 'nan@D:3' });
  t.is(r.code, 1, describe(r));
  t.regex(r.stderr, /training stopped: D gradient is not finite at step 3/);
  t.true(readFileSync(join(out, 'checkpoint.dgan')).equals(before));
});

test('SIGINT stops at a step boundary with a checkpoint; --resume then ends as a clean run', async (t) => {
  const steps = 200;
  const [reference, out] = [newOut(), newOut()];
  const [ref] = await limited(1, [() => train(reference, ['--max-steps', `${steps}`])]);
  t.is(ref.code, 0, describe(ref));

  const child = spawn(process.execPath, [CLI, 'train', '--data', data, '--config', config, '--out', out, '--workers', '2', '--max-steps', `${steps}`], { cwd: ROOT });
  let stdout = '', stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (b) => {
      stdout += b;
      if (/Batch 0\//.test(stdout)) resolve(); // training has started: the first log line is out
    });
  });
  child.kill('SIGINT');
  t.is(await exited, 130, `stdout:\n${stdout}\nstderr:\n${stderr}`);
  t.regex(stderr, /interrupted by SIGINT; checkpoint written, continue with: dgan train --resume/);
  const stoppedAt = readSummary(out).steps;
  t.true(stoppedAt > 0 && stoppedAt < steps, `stopped at step ${stoppedAt}`);

  const resumed = await runCli(['train', '--resume', out, '--max-steps', `${steps}`, '--workers', '2', '--data', data]);
  t.is(resumed.code, 0, describe(resumed));
  t.is(readSummary(out).params_sha256, readSummary(reference).params_sha256);
});
