/**
 * `dgan sample`: fresh digits from a run's G, as a PNG grid or as a NumPy
 * array (N×pixels float32 in [−1, 1]). Everything the user gave is checked
 * before the backend starts; the file is written atomically, whole or not at all.
 */
import { dirname } from 'node:path';
import { startBackend } from '../backend.js';
import { imagePixels } from '../config.js';
import { writeFileAtomic } from '../fsutil.js';
import { sampleImages } from '../model/sample.js';
import { encodePng, gridImage } from '../report/grid.js';
import { encodeNpy } from '../report/npy.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { checkOutFile, makeFolders } from '../outputs.js';
import { runFiles, runFilesAround } from '../train/rundir.js';

export const SAMPLE_FORMATS = ['png', 'npy'] as const;
export type SampleFormat = (typeof SAMPLE_FORMATS)[number];

export const SAMPLE_DEFAULTS = { n: 64, cols: 8, seed: 0, format: 'png' as SampleFormat };

export interface SampleFlags {
  checkpoint: string;
  n: number;
  out?: string;
  format: SampleFormat;
  seed: number;
  cols: number;
}

export function defaultSampleOut(format: SampleFormat): string {
  return `samples.${format}`;
}

export async function sampleCommand(flags: SampleFlags): Promise<number> {
  const state = loadCheckpoint(flags.checkpoint);
  const out = flags.out ?? defaultSampleOut(flags.format);
  checkOutFile(out, '--out', [...runFiles(flags.checkpoint), ...runFilesAround(out)]);
  const { model } = state.config;
  await startBackend('wasm');
  const pixels = sampleImages(state.g.params, model, flags.n, flags.seed);
  const bytes = flags.format === 'npy' ? encodeNpy(pixels, [flags.n, imagePixels(model)]) : encodePng(gridImage(pixels, flags.n, model.image_side, Math.min(flags.cols, flags.n)));
  makeFolders(dirname(out));
  writeFileAtomic(out, bytes);
  console.log(`dgan: ${flags.n} samples (seed ${flags.seed}) from ${flags.checkpoint} at step ${state.position.step} → ${out}`);
  return 0;
}
