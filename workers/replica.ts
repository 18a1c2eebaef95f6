/**
 * A replica: one worker thread with its own tfjs backend. It computes the
 * gradients of the micro-shards it is given and returns them as a msgpackr
 * frame. It writes nothing and keeps no state but cached parameter uploads,
 * so a replacement replica gives the same bits.
 */
import { workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { Piscina } from 'piscina';
import { startBackend } from '../src/backend.js';
import { realImages } from '../src/data/batches.js';
import { type PhaseTask, type ReplicaInit, type ShardResult, type Task, encodeFrame } from '../src/dist/messages.js';
import { injectFault } from '../src/dist/faults.js';
import { dPhaseShard, generate, gPhaseShard } from '../src/model/gan.js';
import { discriminatorSpec, generatorSpec } from '../src/model/layout.js';
import { type Net, disposeNet, uploadNet } from '../src/model/mlp.js';
import { dropoutMasks, latents, sampleKeys } from '../src/model/noise.js';
import { Purpose } from '../src/rng.js';
import { imagePixels } from '../src/config.js';

const init = workerData as ReplicaInit;
await startBackend(init.backend);

const { model, seed } = init;
const gSpec = generatorSpec(model);
const dSpec = discriminatorSpec(model);
const pixels = imagePixels(model);
const options = (batchRows: number) => ({ slope: model.leaky_slope, scale: 1 / batchRows, realLabel: init.realLabel });

/** Uploaded parameters, re-uploaded only when the coordinator's version moves on. */
const cache: { G?: Net; D?: Net; g: number; d: number } = { g: -1, d: -1 };
function nets(versions: { g: number; d: number }): { G: Net; D: Net } {
  if (versions.g !== cache.g || !cache.G) {
    if (cache.G) disposeNet(cache.G);
    cache.G = uploadNet(gSpec, init.gParams);
    cache.g = versions.g;
  }
  if (versions.d !== cache.d || !cache.D) {
    if (cache.D) disposeNet(cache.D);
    cache.D = uploadNet(dSpec, init.dParams);
    cache.d = versions.d;
  }
  return { G: cache.G, D: cache.D };
}

function dShard(task: PhaseTask, G: Net, D: Net, start: number, rows: number) {
  const keys = (purpose: number) => sampleKeys(seed, purpose, task.step, start, rows);
  return dPhaseShard(G, D, {
    rows,
    real: realImages(init.images, pixels, task.indices!.subarray(start, start + rows)),
    z: latents(keys(Purpose.zD), model.z_dim),
    gMasks: dropoutMasks(gSpec, model.dropout, keys(Purpose.dropGinD)),
    dMasks: dropoutMasks(dSpec, model.dropout, [...keys(Purpose.dropDReal), ...keys(Purpose.dropDFake)]),
  }, options(task.batchRows));
}

function gShard(task: PhaseTask, G: Net, D: Net, start: number, rows: number) {
  const keys = (purpose: number) => sampleKeys(seed, purpose, task.step, start, rows);
  return gPhaseShard(G, D, {
    rows,
    z: latents(keys(Purpose.zG), model.z_dim),
    gMasks: dropoutMasks(gSpec, model.dropout, keys(Purpose.dropGinG)),
    dMasks: dropoutMasks(dSpec, model.dropout, keys(Purpose.dropDinG)),
  }, options(task.batchRows));
}

function memoryBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return process.memoryUsage().heapUsed + (backend.wasm?.HEAPU8.byteLength ?? 0);
}

/** A replica that threw is not trusted again: it ends its thread after answering, and piscina starts a fresh one. */
export default function run(task: Task) {
  try {
    return handle(task);
  } catch (e) {
    setImmediate(() => process.exit(1));
    throw e;
  }
}

function handle(task: Task) {
  if (task.kind === 'generate') {
    const { G } = nets(task.versions);
    return Piscina.move(encodeFrame(generate(G, task.z, task.rows, model.leaky_slope)));
  }
  injectFault(init.fault, task);
  const t0 = performance.now();
  const { G, D } = nets(task.versions);
  const compute = task.phase === 'D' ? dShard : gShard;
  const shards: ShardResult[] = task.shards.map((s) => ({ index: s.index, ...compute(task, G, D, s.start, s.rows) }));
  const computeMs = performance.now() - t0;
  return Piscina.move(encodeFrame({ shards, computeMs, memoryBytes: memoryBytes() }));
}
