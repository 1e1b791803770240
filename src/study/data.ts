import type { Pipeline } from '../data/index.js';
import { prepare } from '../data/index.js';
import type { PreparedData, Schema, SplitSpec, Task } from '../data/types.js';
import { ConfigError } from '../errors.js';
import type { StudyBody } from '../ledger/index.js';
import { backendPackage, environmentOf } from '../train/environment.js';
import type { BackendName } from '../train/types.js';
import { canonicalConfig, configHash, type StudyConfig } from './config.js';
import { studyKey } from './ids.js';

/** A study's dataset, prepared once in the main thread: what the workers train on and what the ledger records. */
export interface StudyData {
  source: string;
  hash: string;
  rows: number;
  schema: Schema;
  pipeline: Pipeline;
  data: PreparedData;
}

/**
 * Loads, types, splits and preprocesses the study's dataset. The split and the preprocessing are a pure
 * function of the dataset's bytes, the config and the study seed, so that a replay rebuilds them.
 */
export async function prepareStudyData(config: StudyConfig, datasetPath: string): Promise<StudyData> {
  const split: SplitSpec = config.split;
  const p = await prepare(datasetPath, {
    target: config.target,
    task: config.task as Task | undefined,
    split,
    seed: config.seed,
    ...(config.columns !== undefined ? { types: config.columns } : {}),
    ...(config.exclude !== undefined ? { exclude: config.exclude } : {}),
  });
  return {
    source: datasetPath,
    hash: p.table.hash,
    rows: p.data.train.n + p.data.validation.n + p.data.test.n,
    schema: p.schema,
    pipeline: p.pipeline,
    data: p.data,
  };
}

/** The refit's data (train + validation, scored on test): in data/refit.ts, which a worker thread loads alone. */
export { refitData } from '../data/refit.js';

export function requireDataset(path: string | undefined): string {
  if (path === undefined) throw new ConfigError('config: dataset: required for the built-in MLP objective');
  return path;
}

/**
 * The study record of a config and its prepared dataset (null for a module objective): what identifies the
 * study (its key from the config's hash and the data's), what it was computed with, and where its module is.
 */
export function studyBody(
  config: StudyConfig,
  studyData: StudyData | null,
  module: string | undefined,
  warmStart?: StudyBody['warmStart'],
): StudyBody {
  const cHash = configHash(config);
  return {
    name: config.name,
    key: studyKey(cHash, studyData?.hash ?? 'no-dataset'),
    seed: config.seed,
    config: canonicalConfig(config),
    configHash: cHash,
    dataset: studyData
      ? { source: studyData.source, hash: studyData.hash, rows: studyData.rows, schema: studyData.schema }
      : null,
    preprocessing: studyData?.pipeline ?? null,
    environment: environmentOf(backendPackage(config.backend as BackendName)),
    ...(warmStart === undefined ? {} : { warmStart }),
    module: module ?? null,
  };
}

/**
 * Why a study recorded with `recorded`'s engine cannot go on with `mine` (another numeric backend or engine
 * computes other numbers), or undefined when they compute the same.
 */
export function engineDifference(
  recorded: StudyBody['environment'],
  mine: StudyBody['environment'],
): string | undefined {
  if (
    recorded.backend === mine.backend &&
    recorded.numeric === mine.numeric &&
    recorded.backendVersion === mine.backendVersion
  )
    return undefined;
  return `it was recorded with backend ${recorded.backend} ${recorded.backendVersion} (numeric version ${recorded.numeric}), this is ${mine.backend} ${mine.backendVersion} (numeric version ${mine.numeric})`;
}
