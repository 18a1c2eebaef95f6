/**
 * A replica: one worker thread with its own tfjs backend. It computes the
 * gradients of the micro-shards it is given and returns them as a msgpackr
 * frame, and it updates the slice of the parameters it is given. It keeps no
 * state but cached parameter uploads, so a replacement replica gives the same
 * bits.
 */
import { BroadcastChannel, threadId, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { Piscina } from 'piscina';
import { startBackend } from '../src/backend.js';
import { imagePixels } from '../src/config.js';
import { realImages } from '../src/data/batches.js';
import { reduceShards } from '../src/dist/allreduce.js';
import { injectFault } from '../src/dist/faults.js';
import type { PhaseTask, ReplicaInit, ShardFrame, Task, UpdateTask, Versions } from '../src/dist/messages.js';
import { encodeFrame, packIntoSlot, readFrame } from '../src/dist/messages.js';
import { frameSlot } from '../src/dist/shared.js';
import { dPhaseShard, generate, gPhaseShard } from '../src/model/gan.js';
import { type NetSpec, discriminatorSpec, generatorSpec, transposeWeights } from '../src/model/layout.js';
import { type Net, disposeNet, uploadNet } from '../src/model/mlp.js';
import { dropoutMasks, latents, sampleKeys } from '../src/model/noise.js';
import { adamUpdate } from '../src/optim/adam.js';
import { Purpose } from '../src/rng.js';

const init = workerData as ReplicaInit;
await startBackend(init.backend);
const started = new BroadcastChannel(init.readyChannel);
started.postMessage(threadId);
started.close();

const { model, seed } = init;
const specs: Record<'g' | 'd', NetSpec> = { g: generatorSpec(model), d: discriminatorSpec(model) };
const pixels = imagePixels(model);
const options = (batchRows: number) => ({ slope: model.leaky_slope, scale: 1 / batchRows, realLabel: init.realLabel });

/** Uploaded parameters, re-uploaded only when the coordinator's version moves on. */
const cache: { g?: Net; d?: Net; versions: Versions } = { versions: { g: -1, d: -1 } };
function net(name: 'g' | 'd', version: number): Net {
  if (cache.versions[name] !== version || !cache[name]) {
    if (cache[name]) disposeNet(cache[name]);
    const shared = init.nets[name];
    cache[name] = uploadNet(specs[name], shared.params[version % 2], shared.paramsT[version % 2]);
    cache.versions[name] = version;
  }
  return cache[name];
}

function dShard(task: PhaseTask, start: number, rows: number, out: Float32Array) {
  const keys = (purpose: number) => sampleKeys(seed, purpose, task.step, start, rows);
  return dPhaseShard(net('g', task.versions.g), net('d', task.versions.d), {
    rows,
    real: realImages(init.images, pixels, task.indices!.subarray(start, start + rows)),
    z: latents(keys(Purpose.zD), model.z_dim),
    gMasks: dropoutMasks(specs.g, model.dropout, keys(Purpose.dropGinD)),
    dMasks: dropoutMasks(specs.d, model.dropout, [...keys(Purpose.dropDReal), ...keys(Purpose.dropDFake)]),
  }, options(task.batchRows), out);
}

function gShard(task: PhaseTask, start: number, rows: number, out: Float32Array) {
  const keys = (purpose: number) => sampleKeys(seed, purpose, task.step, start, rows);
  return gPhaseShard(net('g', task.versions.g), net('d', task.versions.d), {
    rows,
    z: latents(keys(Purpose.zG), model.z_dim),
    gMasks: dropoutMasks(specs.g, model.dropout, keys(Purpose.dropGinG)),
    dMasks: dropoutMasks(specs.d, model.dropout, keys(Purpose.dropDinG)),
  }, options(task.batchRows), out);
}

/** Gradient arrays this replica fills again and again, one per network. */
const gradOut = { d: new Float32Array(specs.d.size), g: new Float32Array(specs.g.size) };

function phase(task: PhaseTask) {
  const poison = injectFault(init.fault, task);
  const t0 = performance.now();
  const [compute, name] = task.phase === 'D' ? [dShard, 'd' as const] : [gShard, 'g' as const];
  const shards = task.shards.map((s) => {
    const { lossSums, grad } = compute(task, s.start, s.rows, gradOut[name]);
    if (poison) grad[0] = NaN;
    const frame: ShardFrame = [new Uint8Array(grad.buffer, grad.byteOffset, grad.byteLength), s.index, lossSums];
    return { index: s.index, frame: packIntoSlot(frameSlot(init.nets[name], s.index), frame) };
  });
  const computeMs = performance.now() - t0;
  return encodeFrame({ shards, computeMs, memoryBytes: memoryBytes() });
}

/** This replica's slice of an update: sum the shards' gradients (read in their frames), Adam from buffer t−1 into buffer t, transposed copy. */
function update(task: UpdateTask) {
  const shared = init.nets[task.net];
  const { from, to, t } = task;
  const [src, dst] = [(t - 1) % 2, t % 2];
  const parts = task.frames.map((frame, k) => readFrame(frameSlot(shared, k), frame).grad.subarray(from, to));
  const finite = reduceShards(parts, shared.grad, from);
  adamUpdate(
    { params: shared.params[src], m: shared.m[src], v: shared.v[src] },
    { params: shared.params[dst], m: shared.m[dst], v: shared.v[dst] },
    shared.grad, t, task.lr, task.hyper, from, to,
  );
  transposeWeights(specs[task.net], shared.params[dst], shared.paramsT[dst], from, to);
  return encodeFrame({ finite });
}

function memoryBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return process.memoryUsage().heapUsed + (backend.wasm?.HEAPU8.byteLength ?? 0);
}

function handle(task: Task): Uint8Array {
  switch (task.kind) {
    case 'phase':
      return phase(task);
    case 'update':
      return update(task);
    case 'generate': {
      const images = generate(net('g', task.versions.g), task.z, task.rows, model.leaky_slope);
      return encodeFrame(new Uint8Array(images.buffer, images.byteOffset, images.byteLength)); // raw float32 bytes
    }
  }
}

/** A replica that threw is not trusted again: it ends its thread after answering, and piscina starts a fresh one. */
export default function run(task: Task) {
  try {
    return Piscina.move(handle(task));
  } catch (e) {
    setImmediate(() => process.exit(1));
    throw e;
  }
}
