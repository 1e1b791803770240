import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { io as tfio } from '@tensorflow/tfjs-core';
import { LockstepError, NotFoundError } from '../errors.js';
import * as tf from './tf.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const METADATA_FILE = 'metadata.json';

/**
 * Writes a model in the tfjs layers format — `model.json` (topology + weights manifest) and
 * `weights.bin` — plus `metadata.json` (the given object, pretty-printed). Needs no tfjs-node:
 * the artifacts pass through an in-memory save handler. `tf.loadLayersModel('file://…')` in
 * tfjs-node, or `loadModel(dir)` here, reads it back.
 */
export async function saveModel(model: tf.LayersModel, dir: string, metadata: object): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new LockstepError('E_IO', `${dir}: cannot create the model folder (${(cause as Error).message})`, {
      cause,
    });
  }
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (artifacts.modelTopology === undefined || artifacts.weightSpecs === undefined) {
        throw new LockstepError('E_IO', 'the model produced no topology or weights to save');
      }
      const weights = new Uint8Array(
        tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)),
      );
      const modelJson: tfio.ModelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.layersLib().version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      };
      try {
        await writeFile(path.join(dir, WEIGHTS_FILE), weights);
        await writeFile(path.join(dir, MODEL_FILE), `${JSON.stringify(modelJson)}\n`);
        await writeFile(path.join(dir, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
      } catch (cause) {
        throw new LockstepError('E_IO', `${dir}: cannot write the model (${(cause as Error).message})`, {
          cause,
        });
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

async function readOrNotFound(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`${file}: no such file`, { cause });
    throw new LockstepError('E_IO', `${file}: ${(cause as Error).message}`, { cause });
  }
}

/** Loads a model written by saveModel (the weights files named in model.json, beside it). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const jsonFile = path.join(dir, MODEL_FILE);
  let modelJson: tfio.ModelJSON;
  try {
    modelJson = JSON.parse((await readOrNotFound(jsonFile)).toString('utf8')) as tfio.ModelJSON;
  } catch (cause) {
    if (cause instanceof LockstepError) throw cause;
    throw new LockstepError('E_DATA', `${jsonFile}: not valid JSON (${(cause as Error).message})`, { cause });
  }
  const handler: tfio.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tfio.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const b = await readOrNotFound(path.join(dir, p));
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      }),
  };
  return tf.layersLib().loadLayersModel(handler);
}

/** Reads metadata.json of a saved model. */
export async function loadMetadata(dir: string): Promise<unknown> {
  return JSON.parse((await readOrNotFound(path.join(dir, METADATA_FILE))).toString('utf8'));
}
