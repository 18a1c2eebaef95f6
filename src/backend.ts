/**
 * Chooses and starts a tfjs backend in the current thread. Each worker
 * thread has its own engine, so each calls this once.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from './errors.js';

export const BACKENDS = ['auto', 'wasm', 'cpu', 'tensorflow'] as const;
export type BackendChoice = (typeof BACKENDS)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

/** The native TensorFlow bindings, GPU build first; neither is a hard dependency. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

export const TENSORFLOW_MISSING =
  'the tensorflow backend needs @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node: run `npm install @tensorflow/tfjs-node-gpu@4.22.0` (or tfjs-node), or use --backend wasm';

async function importNative(): Promise<string | null> {
  for (const pkg of NATIVE_PACKAGES) {
    try {
      await import(pkg);
      return pkg;
    } catch {
      // not installed, or its native library failed to load: try the next
    }
  }
  return null;
}

/** Whether `--backend tensorflow` can work here, and through which package. */
export async function nativeAvailable(): Promise<string | null> {
  return importNative();
}

/** 'auto' takes the native TensorFlow backend where installed, wasm otherwise. */
export async function resolveBackend(choice: BackendChoice): Promise<BackendName> {
  if (choice !== 'auto') return choice;
  return (await nativeAvailable()) ? 'tensorflow' : 'wasm';
}

export async function startBackend(name: BackendName): Promise<void> {
  tf.env().set('PROD', true); // no debug checks, no install-tfjs-node banner
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else if (!(await importNative())) throw new UserError(TENSORFLOW_MISSING);
  if (!(await tf.setBackend(name))) throw new UserError(`the ${name} backend failed to start`);
  await tf.ready();
}
