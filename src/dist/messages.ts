/**
 * Everything that crosses between the coordinator and a replica.
 *
 * Coordinator → replica: a task (structured clone; small).
 * Replica → coordinator: a small msgpackr frame, moved (not copied) through
 * postMessage. A shard's gradient travels as a msgpackr frame too, but one
 * packed straight into the shard's frame slot in shared memory (see
 * shared.ts): the coordinator reads its index and losses there, and the
 * updating replicas read its slices there, so its megabytes are never copied
 * through a message or left for the garbage collector. Parameters never
 * travel: replicas read them from shared memory, which changes only between
 * tasks.
 */
import { Packr } from 'msgpackr';
import type { BackendName } from '../backend.js';
import type { ModelConfig } from '../config.js';
import type { AdamHyper } from '../optim/adam.js';
import type { SharedNet } from './shared.js';
import type { Shard } from './shards.js';

export type NetName = 'g' | 'd';

/** Set once per replica thread (piscina's workerData). */
export interface ReplicaInit {
  backend: BackendName;
  model: ModelConfig;
  seed: number;
  realLabel: number;
  /** The training images, [count, pixels] bytes, SharedArrayBuffer-backed. */
  images: Uint8Array;
  nets: Record<NetName, SharedNet>;
  /** Test-only fault injection (see faults.ts); undefined in real runs. */
  fault?: string;
  /** BroadcastChannel on which a replica posts its threadId once its backend has started. */
  readyChannel: string;
}

/** Parameter versions a task reads: the number of Adam updates each network has had. */
export type Versions = Record<NetName, number>;

export type Phase = 'D' | 'G';

/** The gradients of some micro-shards of one phase. */
export interface PhaseTask {
  kind: 'phase';
  phase: Phase;
  /** Global step: keys the z and dropout streams. */
  step: number;
  /** Rows in the whole batch: gradients are of the batch mean. */
  batchRows: number;
  shards: Shard[];
  /** D phase: the dataset index of every row of the batch. */
  indices: Int32Array | null;
  versions: Versions;
  /** 0 on the first try; faults are injected only then. */
  attempt: number;
}

/** Reduce-scatter and Adam on one slice of a network (see allreduce.ts). */
export interface UpdateTask {
  kind: 'update';
  net: NetName;
  from: number;
  to: number;
  /** Each shard's frame, in shard order: slots 0..n−1 hold the batch's gradients. */
  frames: FrameRef[];
  /** The update's number: reads buffers (t−1) mod 2, writes t mod 2. */
  t: number;
  lr: number;
  hyper: AdamHyper;
}

/** G in evaluation mode on the given z (the fixed-z grids). */
export interface GenerateTask {
  kind: 'generate';
  z: Float32Array; // [z_dim, rows]
  rows: number;
  versions: Versions;
}

export type Task = PhaseTask | UpdateTask | GenerateTask;

/**
 * A shard's gradient frame: [gradient as raw float32 bytes, index, loss
 * sums]. A tuple, not a map: msgpackr's native string reader refuses shared
 * memory, and a tuple has no keys to read. The gradient goes first so that
 * where its bytes start is known before packing (see packIntoSlot).
 */
export type ShardFrame = [grad: Uint8Array, index: number, lossSums: number[]];

/** Where a frame lies in its slot. */
export interface FrameRef {
  offset: number;
  length: number;
}

export interface PhaseResult {
  /** Per shard: its index and where its frame lies in its slot. */
  shards: { index: number; frame: FrameRef }[];
  /** Time spent in the shard computations, for the bench's overhead share. */
  computeMs: number;
  /** Memory of the replica: its JS heap and its backend's memory (wasm heap), in bytes. */
  memoryBytes: number;
}

export interface UpdateResult {
  /** False if the slice's reduced gradient holds a NaN or an infinity. */
  finite: boolean;
}

// Byte arrays are packed as plain binary and come back as views into the
// frame. Send floats as their bytes (a Uint8Array over them): msgpackr packs a
// Float32Array itself as something else.
const packr = new Packr({ useRecords: false });

/** A frame that owns its ArrayBuffer, so it can be transferred (msgpackr reuses a pooled buffer). */
export function encodeFrame(value: unknown): Uint8Array {
  return packr.pack(value).slice();
}

const slotPackr = new Packr({ useRecords: false });

/** msgpack's header of a binary of n bytes: bin8, bin16 or bin32. */
function binHeader(n: number): { bytes: number; tag: number } {
  return n < 0x100 ? { bytes: 2, tag: 0xc4 } : n < 0x10000 ? { bytes: 3, tag: 0xc5 } : { bytes: 5, tag: 0xc6 };
}

/**
 * Packs a shard's frame into its slot, shifted so that the gradient's bytes
 * (after the 1-byte array header and the binary header) start 4-byte
 * aligned: readers then view them as floats, with no copy.
 */
export function packIntoSlot(slot: Uint8Array, frame: ShardFrame): FrameRef {
  const header = 1 + binHeader(frame[0].byteLength).bytes;
  const offset = (4 - ((slot.byteOffset + header) % 4)) % 4;
  slotPackr.useBuffer(slot.subarray(offset));
  const packed = slotPackr.pack(frame);
  // msgpackr moves to a buffer of its own when the frame does not fit: the slot would be left stale.
  if (packed.buffer !== slot.buffer || packed.byteOffset !== slot.byteOffset + offset) throw new Error(`a frame of ${packed.length} bytes does not fit its ${slot.length}-byte slot`);
  if (packed[1] !== binHeader(frame[0].byteLength).tag) throw new Error('a gradient frame does not start with its binary');
  return { offset, length: packed.length };
}

/** A shard's frame read in place: its gradient is a view into the slot. */
export function readFrame(slot: Uint8Array, ref: FrameRef): { grad: Float32Array; index: number; lossSums: number[] } {
  const [bytes, index, lossSums] = packr.unpack(slot.subarray(ref.offset, ref.offset + ref.length)) as ShardFrame;
  return { grad: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), index, lossSums };
}

export function decodeFrame<T>(frame: Uint8Array): T {
  return packr.unpack(frame) as T;
}

/** Float32 values from raw bytes (copied, so alignment does not matter). */
export function floatsOf(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / Float32Array.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
