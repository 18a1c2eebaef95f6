import test from 'ava';
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULTS } from '../src/config.js';
import { UserError } from '../src/errors.js';
import { decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint } from '../src/train/checkpoint.js';
import { freshState, paramsSha256 } from '../src/train/state.js';
import { FIXTURES } from './helpers/fixtures.js';
import { tempDir } from './helpers/tiny.js';

const small = { ...DEFAULTS, model: { ...DEFAULTS.model, g_hidden: 4, d_hidden: 8 } };

test('a checkpoint round-trips parameters, moments, step counts and position', (t) => {
  const state = freshState(small);
  state.position = { epoch: 2, batch: 17, step: 955 };
  state.g.adam.t = state.d.adam.t = 955;
  state.d.adam.v[3] = 0.25;
  const back = decodeCheckpoint(encodeCheckpoint(state), 'mem');
  t.deepEqual(back.position, state.position);
  t.deepEqual(back.config, state.config);
  t.is(back.d.adam.t, 955);
  t.is(back.d.adam.v[3], 0.25);
  t.is(paramsSha256(back), paramsSha256(state));
});

test('a damaged checkpoint is refused, never loaded', (t) => {
  const bytes = encodeCheckpoint(freshState(small));
  for (const at of [0, 10, 20, bytes.length >> 1, bytes.length - 1]) {
    const damaged = Buffer.from(bytes);
    damaged[at] ^= 0x40;
    t.throws(() => decodeCheckpoint(damaged, 'c.dgan'), { instanceOf: UserError, message: /c\.dgan (is not a dgan checkpoint|has checkpoint format|is damaged)/ }, `byte ${at}`);
  }
  t.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 100), 'c.dgan'), { instanceOf: UserError, message: /damaged/ });
});

test('SIGKILL while saving leaves the previous checkpoint whole', async (t) => {
  const dir = tempDir('dgan-ckpt-');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let lastStep = 0;
  for (let kill = 0; kill < 6; kill++) {
    const child = spawn(process.execPath, [join(FIXTURES, 'save-loop.mjs'), dir]);
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    while (!/saved \d+\n/.test(out)) await delay(5);
    await delay(7 + 13 * kill); // land at different points of a save
    child.kill('SIGKILL');
    await exited;
    const state = loadCheckpoint(dir);
    const saved = [...out.matchAll(/saved (\d+)/g)].map((m) => Number(m[1]));
    // The file holds the last save that printed, or the one the kill interrupted after its rename.
    t.true(state.position.step === saved.at(-1) || state.position.step === saved.at(-1)! + 1, `kill ${kill}: step ${state.position.step}`);
    t.is(state.d.params[0], state.position.step);
    lastStep = state.position.step;
  }
  t.true(lastStep > 0);
  // Whatever temporary file a kill left behind, the next save replaces the checkpoint whole and removes it.
  writeFileSync(join(dir, 'checkpoint.dgan.tmp-999999999'), 'left by a killed save');
  saveCheckpoint(dir, freshState(small));
  t.is(loadCheckpoint(dir).position.step, 0);
  t.deepEqual(readdirSync(dir), ['checkpoint.dgan']);
});
