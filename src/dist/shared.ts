/**
 * The memory the coordinator and the replicas share, one block per network.
 *
 * Parameters, their transposed weights and the Adam moments are double-
 * buffered by update count: update t reads buffer (t−1) mod 2 and writes
 * buffer t mod 2. An update that fails halfway can therefore be run again from
 * the same inputs, and a replica reads the parameters of version t from
 * buffer t mod 2 with no copy.
 */
import type { NetSpec } from '../model/layout.js';
import { transposeWeights } from '../model/layout.js';
import type { NetState } from '../train/state.js';

export interface SharedNet {
  params: [Float32Array, Float32Array];
  /** The same parameters with each weight stored [out, in], as the forward takes it. */
  paramsT: [Float32Array, Float32Array];
  m: [Float32Array, Float32Array];
  v: [Float32Array, Float32Array];
  /** The reduced gradient of the last update (replicas write disjoint slices). */
  grad: Float32Array;
  /**
   * One msgpackr frame slot per micro-shard of a batch, each frameBytes long:
   * a replica packs its shard's gradient frame straight into its slot, and
   * the coordinator and the updating replicas read it there, with no copy.
   */
  frames: Uint8Array;
  frameBytes: number;
}

/** Room in a frame beyond the gradient's bytes: the index, the loss sums, msgpack headers. */
const FRAME_SLACK = 1024;

function sharedFloats(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * Float32Array.BYTES_PER_ELEMENT));
}

const pair = (n: number): [Float32Array, Float32Array] => [sharedFloats(n), sharedFloats(n)];

/** The largest single SharedArrayBuffer a network needs: its frame slots, or one parameter array. */
export function largestSharedBuffer(size: number, maxShards: number): number {
  return Math.max(maxShards * (size * 4 + FRAME_SLACK), size * 4);
}

/** Moves a network's state into shared memory; `net` is left viewing the current buffers. */
export function shareNet(spec: NetSpec, net: NetState, maxShards: number): SharedNet {
  const shared: SharedNet = {
    params: pair(spec.size),
    paramsT: pair(spec.size),
    m: pair(spec.size),
    v: pair(spec.size),
    grad: sharedFloats(spec.size),
    frames: new Uint8Array(new SharedArrayBuffer(largestSharedBuffer(spec.size, maxShards))),
    frameBytes: spec.size * 4 + FRAME_SLACK,
  };
  const b = net.adam.t % 2;
  shared.params[b].set(net.params);
  shared.m[b].set(net.adam.m);
  shared.v[b].set(net.adam.v);
  transposeWeights(spec, shared.params[b], shared.paramsT[b]);
  adopt(net, shared, net.adam.t);
  return shared;
}

/** Points `net` at the buffers of update count t. */
export function adopt(net: NetState, shared: SharedNet, t: number): void {
  const b = t % 2;
  net.params = shared.params[b];
  net.adam.m = shared.m[b];
  net.adam.v = shared.v[b];
  net.adam.t = t;
}

/** Shard `index`'s frame slot. */
export function frameSlot(shared: SharedNet, index: number): Uint8Array {
  if ((index + 1) * shared.frameBytes > shared.frames.length) throw new Error(`shard ${index} has no frame slot (${shared.frames.length / shared.frameBytes} slots)`);
  return shared.frames.subarray(index * shared.frameBytes, (index + 1) * shared.frameBytes);
}
