import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../src/backend.js';
import { DEFAULTS, type ModelConfig } from '../src/config.js';
import { dPhaseShard, gPhaseShard } from '../src/model/gan.js';
import { type NetSpec, discriminatorSpec, generatorSpec } from '../src/model/layout.js';
import { disposeNet, uploadNet } from '../src/model/mlp.js';
import { adamState, adamUpdate } from '../src/optim/adam.js';
import { fixture, maxRelError } from './helpers/fixtures.js';

// PyTorch's tiny nets: G 4→3→6→12→9, D 9→8→4→2→1, batch 5, dropout off.
const ref = fixture('gan_step.json');
const model: ModelConfig = { ...DEFAULTS.model, z_dim: 4, g_hidden: 3, d_hidden: 2, image_side: 3, dropout: 0 };
const rows = ref.real_shape[0];

/** PyTorch's {fcK: {weight [out,in], bias}} as dgan's flat layout (weights [in,out]). */
function toFlat(spec: NetSpec, layers: Record<string, { weight: number[]; bias: number[] }>): Float32Array {
  const flat = new Float32Array(spec.size);
  spec.layers.forEach((l, i) => {
    const { weight, bias } = layers[`fc${i + 1}`];
    const w = spec.slots[2 * i].offset;
    for (let o = 0; o < l.out; o++) for (let j = 0; j < l.in; j++) flat[w + j * l.out + o] = weight[o * l.in + j];
    flat.set(bias, spec.slots[2 * i + 1].offset);
  });
  return flat;
}

/** Row-major [rows, cols] → feature-major [cols, rows], as the model takes its inputs. */
function columnsOf(values: number[], rows: number): Float32Array {
  const cols = values.length / rows;
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

for (const backend of ['wasm', 'cpu'] as const) {
  test.serial(`one D step then one G step match PyTorch (${backend})`, async (t) => {
    await startBackend(backend);
    const gSpec = generatorSpec(model), dSpec = discriminatorSpec(model);
    const g = toFlat(gSpec, ref.start.G), d = toFlat(dSpec, ref.start.D);
    const opt = { slope: model.leaky_slope, scale: 1 / rows, realLabel: 0.9 };
    const hyper = { betas: [0.5, 0.999] as [number, number], eps: 1e-8 };
    const before = tf.memory().numTensors;

    let G = uploadNet(gSpec, g), D = uploadNet(dSpec, d);
    const dStep = dPhaseShard(G, D, { rows, real: columnsOf(ref.real, rows), z: columnsOf(ref.z_d, rows), gMasks: null, dMasks: null }, opt);
    t.true(Math.abs((dStep.lossSums[0] + dStep.lossSums[1]) / rows - ref.d_loss) < 1e-6);
    t.true(maxRelError(dStep.grad, toFlat(dSpec, ref.d_grads), 1e-4) < 1e-4, 'D gradients');
    const inPlace = (p: Float32Array) => ({ params: p, ...adamState(p.length) });
    const dBuf = inPlace(d);
    adamUpdate(dBuf, dBuf, dStep.grad, 1, 1e-4, hyper);
    t.true(maxRelError(d, toFlat(dSpec, ref.after.D), 1e-3) < 1e-5, 'D after Adam');

    disposeNet(D);
    D = uploadNet(dSpec, d);
    const gStep = gPhaseShard(G, D, { rows, z: columnsOf(ref.z_g, rows), gMasks: null, dMasks: null }, opt);
    t.true(Math.abs(gStep.lossSums[0] / rows - ref.g_loss) < 1e-6);
    t.true(maxRelError(gStep.grad, toFlat(gSpec, ref.g_grads), 1e-4) < 1e-4, 'G gradients');
    const gBuf = inPlace(g);
    adamUpdate(gBuf, gBuf, gStep.grad, 1, 1e-3, hyper);
    t.true(maxRelError(g, toFlat(gSpec, ref.after.G), 1e-3) < 1e-5, 'G after Adam');

    disposeNet(G);
    disposeNet(D);
    t.is(tf.memory().numTensors, before, 'no tensor leaks');
  });
}
