/**
 * The replicas: a piscina pool of long-lived worker threads (min = max, no
 * idle reaping). A phase sends each worker one contiguous block of shards;
 * an update sends each worker one slice of the parameters.
 *
 * Faults: a task whose worker throws, exits or passes the step timeout is
 * sent again (piscina replaces the thread; a throwing replica ends its own).
 * Recomputing is safe because every task is a pure function of shared memory
 * that it does not overwrite: a phase reads parameters, an update reads one
 * buffer and writes the other (see shared.ts). So the retry has the same bits.
 * The step timeout counts from when every replica has started (loaded its
 * backend): a thread that is still starting is slow, not lost.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { AdamHyper } from '../optim/adam.js';
import { slices } from './allreduce.js';
import {
  type FrameRef,
  type NetName,
  type PhaseResult,
  type PhaseTask,
  type ReplicaInit,
  type Task,
  type UpdateResult,
  type Versions,
  decodeFrame,
  floatsOf,
  readFrame,
} from './messages.js';
import { type Shard, assignShards } from './shards.js';
import { type SharedNet, frameSlot } from './shared.js';

const REPLICA = new URL('../../workers/replica.js', import.meta.url).href;
const NEVER_MS = 2 ** 31 - 1; // setTimeout's ceiling: threads are never reaped for idling
const STARTUP_LIMIT_MS = 300_000; // past this, a replica that has not started is left to the step timeout

export interface PoolOptions {
  workers: number;
  init: Omit<ReplicaInit, 'readyChannel'>;
  /** A task not answered within this is taken as lost. */
  stepTimeoutMs: number;
  /** Consecutive failed attempts after which the run gives up. */
  maxFailures: number;
  onFault?: (message: string) => void;
}

export class WorkersFailedError extends Error {}

export interface PhaseOutcome {
  /** Per shard, in shard order. */
  lossSums: { index: number; lossSums: number[] }[];
  /** Per shard, in shard order: where its gradient frame lies in its slot. */
  frames: FrameRef[];
  /** Per block: compute time inside the replica, ms. */
  computeMs: number[];
  /** Largest replica memory seen, bytes. */
  memoryBytes: number;
}

export class ReplicaPool {
  private readonly pool: Piscina;
  private failuresInARow = 0;
  /** Thread ids of the replicas that have started and not been destroyed. */
  private readonly started = new Set<number>();
  private readonly readyChannel: BroadcastChannel;

  constructor(private readonly opts: PoolOptions) {
    const readyChannel = `dgan-replicas-${randomUUID()}`;
    this.readyChannel = new BroadcastChannel(readyChannel);
    this.readyChannel.onmessage = (e) => this.started.add((e as { data: number }).data);
    this.pool = new Piscina({
      filename: REPLICA,
      minThreads: opts.workers,
      maxThreads: opts.workers,
      idleTimeout: NEVER_MS,
      workerData: { ...opts.init, readyChannel } satisfies ReplicaInit,
    });
    this.pool.on('workerDestroy', (worker: { id: number }) => this.started.delete(worker.id));
  }

  /** Resolves once every replica has started its backend (or after STARTUP_LIMIT_MS). */
  async ready(): Promise<void> {
    const limit = Date.now() + STARTUP_LIMIT_MS;
    while (this.started.size < this.opts.workers && Date.now() < limit) await delay(20);
  }

  shared(net: NetName): SharedNet {
    return this.opts.init.nets[net];
  }

  /** Runs one phase over all shards of a batch; each shard's gradient frame is left in its slot. */
  async phase(task: Omit<PhaseTask, 'shards' | 'attempt'>, shards: Shard[]): Promise<PhaseOutcome> {
    const net = this.opts.init.nets[task.phase === 'D' ? 'd' : 'g'];
    const blocks = assignShards(shards, this.opts.workers);
    const results = await Promise.all(blocks.map((block) => this.run<PhaseResult>({ ...task, shards: block, attempt: 0 })));
    const frames = results.flatMap((r) => r.shards).sort((a, b) => a.index - b.index);
    const lossSums = frames.map(({ index, frame }) => {
      const read = readFrame(frameSlot(net, index), frame);
      if (read.index !== index) throw new Error(`frame slot ${index} holds shard ${read.index}`);
      return { index, lossSums: read.lossSums };
    });
    return {
      lossSums,
      frames: frames.map((f) => f.frame),
      computeMs: results.map((r) => r.computeMs),
      memoryBytes: Math.max(...results.map((r) => r.memoryBytes)),
    };
  }

  /** Update number t of one network: reduce-scatter of its shard slots and Adam, sliced over the replicas. False if the gradient is not finite. */
  async update(net: NetName, u: { frames: FrameRef[]; t: number; lr: number; hyper: AdamHyper }): Promise<boolean> {
    const size = this.opts.init.nets[net].grad.length;
    // More slices than cores only adds switching between threads.
    const parts = slices(size, Math.min(this.opts.workers, availableParallelism()));
    const results = await Promise.all(parts.map(([from, to]) => this.run<UpdateResult>({ kind: 'update', net, from, to, ...u })));
    return results.every((r) => r.finite);
  }

  /** G in eval mode on z [z_dim, rows], in a replica (the coordinator keeps no tensors): images [rows, pixels]. */
  async generate(z: Float32Array, rows: number, versions: Versions): Promise<Float32Array> {
    return floatsOf(await this.run<Uint8Array>({ kind: 'generate', z, rows, versions }));
  }

  private async run<T>(task: Task): Promise<T> {
    for (;;) {
      await this.ready();
      try {
        const frame: Uint8Array = await this.pool.run(task, { signal: AbortSignal.timeout(this.opts.stepTimeoutMs) });
        this.failuresInARow = 0;
        return decodeFrame<T>(frame);
      } catch (e) {
        const err = e as Error;
        const why = err.name === 'AbortError' || err.name === 'TimeoutError' ? `no answer within ${this.opts.stepTimeoutMs} ms` : err.message;
        this.failuresInARow++;
        const what = task.kind === 'phase' ? `${task.phase} phase of step ${task.step}` : `${task.kind} task`;
        if (this.failuresInARow >= this.opts.maxFailures) {
          throw new WorkersFailedError(`workers failed ${this.failuresInARow} times in a row (last: ${why}) at the ${what}`);
        }
        this.opts.onFault?.(`worker failed at the ${what} (${why}); running it again`);
        if (task.kind === 'phase') task = { ...task, attempt: task.attempt + 1 };
      }
    }
  }

  async close(): Promise<void> {
    this.readyChannel.close();
    await this.pool.destroy();
  }
}
