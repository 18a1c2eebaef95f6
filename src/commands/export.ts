/**
 * `dgan export`: a run's G as a TensorFlow.js LayersModel (model.json and
 * model.weights.bin) that tf.loadLayersModel loads in Node or a browser. The
 * topology is the article's, dropout layers included (inactive at inference);
 * model.json's userDefinedMetadata says what the inputs and outputs are.
 */
import { join } from 'node:path';
import { startBackend } from '../backend.js';
import { folderSaveHandler, MODEL_JSON, WEIGHTS_FILE } from '../export/files.js';
import { generatorSpec } from '../model/layout.js';
import { sequentialModel, setFlatWeights } from '../model/layers.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { checkOutFolder } from '../outputs.js';

export interface ExportFlags {
  checkpoint: string;
  out?: string;
}

export const EXPORT_SUBDIR = 'tfjs-generator';

export async function exportCommand(flags: ExportFlags): Promise<number> {
  const state = loadCheckpoint(flags.checkpoint);
  const out = flags.out ?? join(flags.checkpoint, EXPORT_SUBDIR);
  checkOutFolder(out);
  const { model } = state.config;
  await startBackend('wasm');
  const spec = generatorSpec(model);
  const G = sequentialModel(spec, model);
  try {
    setFlatWeights(G, spec, state.g.params);
    G.setUserDefinedMetadata({
      dgan: {
        input: `z ~ N(0, 1), shape [rows, ${model.z_dim}]`,
        output: `images in [-1, 1], shape [rows, ${model.image_side * model.image_side}]: row-major ${model.image_side}×${model.image_side}, one channel`,
        z_dim: model.z_dim,
        image_side: model.image_side,
        step: state.position.step,
        seed: state.config.train.seed,
      },
    });
    await G.save(folderSaveHandler(out));
  } finally {
    G.dispose();
  }
  console.log(`dgan: G at step ${state.position.step} → ${join(out, MODEL_JSON)} + ${WEIGHTS_FILE}`);
  return 0;
}
