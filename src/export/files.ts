/**
 * A tf.io save handler that writes a LayersModel as the two files every tfjs
 * loader reads: model.json (topology, weights manifest, metadata) and one
 * binary weights file beside it. In Node without tfjs-node there is no
 * file:// handler, hence this one. Both files are written atomically, weights
 * first, so model.json never names weights that are not all there.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { makeFolders } from '../outputs.js';
import { writeFileAtomic } from '../fsutil.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_FILE = 'model.weights.bin';

/** The model.json of tfjs' format: what tf.io.http and tf.io.browserFiles read. */
export function modelJson(artifacts: tf.io.ModelArtifacts, weightsPath: string): tf.io.ModelJSON {
  if (!artifacts.modelTopology || !artifacts.weightSpecs) throw new Error('modelJson: the artifacts have no topology or no weights');
  return {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
    ...(artifacts.userDefinedMetadata && { userDefinedMetadata: artifacts.userDefinedMetadata }),
  };
}

export function folderSaveHandler(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
    makeFolders(dir);
    writeFileAtomic(join(dir, WEIGHTS_FILE), new Uint8Array(weights));
    writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson(artifacts, WEIGHTS_FILE)));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  });
}
