/**
 * Everything that crosses between the coordinator and a replica.
 *
 * Coordinator → replica: a task (structured clone; small).
 * Replica → coordinator: a msgpackr frame, moved (not copied) through
 * postMessage; shard gradients travel in it as raw float32 bytes, which the
 * coordinator copies straight into their shard slots. Parameters never
 * travel: replicas read them from shared memory (see shared.ts), which
 * changes only between tasks.
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
  /** Micro-shards in the batch: slots 0..shards−1 hold its gradients. */
  shards: number;
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

export interface ShardResult {
  index: number;
  lossSums: number[];
  /** Raw float32 bytes, as msgpackr returns a binary field (not necessarily 4-byte aligned). */
  grad: Uint8Array;
}

export interface PhaseResult {
  shards: ShardResult[];
  /** Time spent in the shard computations, for the bench's overhead share. */
  computeMs: number;
  /** Memory of the replica: its JS heap and its backend's memory (wasm heap), in bytes. */
  memoryBytes: number;
}

export interface UpdateResult {
  /** False if the slice's reduced gradient holds a NaN or an infinity. */
  finite: boolean;
}

// Typed arrays are packed as plain binary: they come back as views into the
// frame, with no copy until they reach their destination.
const packr = new Packr({ useRecords: false });

/** A frame that owns its ArrayBuffer, so it can be transferred (msgpackr reuses a pooled buffer). */
export function encodeFrame(value: unknown): Uint8Array {
  return packr.pack(value).slice();
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
