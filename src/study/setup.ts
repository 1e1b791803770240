import { createPruner } from '../pruners/index.js';
import { createSampler } from '../samplers/index.js';
import type { SearchSpace } from '../space/types.js';
import type { Direction } from '../types.js';
import { type StudyConfig, trialEpochs } from './config.js';
import type { StudyData } from './data.js';
import { enqueuedParams } from './enqueue.js';
import { studyObjectives } from './objectives.js';
import type { TrialSetup } from './trial.js';
import { loadWarmStart, type WarmStart } from './warm.js';

/**
 * What a study's config adds to every trial's setup besides its sampler and pruner: its objectives and
 * constraints, its enqueued parameter sets, the trials of its warm start. Shared by the file search and the
 * distributed worker, so that both draw and judge trials alike.
 */
export function setupExtras(
  config: StudyConfig,
  space: SearchSpace,
  o: { studyData: StudyData | null; metric: string; warmStart: string | undefined },
): { extras: Pick<TrialSetup, 'objectives' | 'enqueued' | 'warm'>; warmStart: WarmStart | undefined } {
  const spec = studyObjectives(config, o.studyData?.schema.task);
  const shape = o.studyData
    ? { nFeatures: o.studyData.data.nFeatures, nOutputs: o.studyData.data.nOutputs }
    : undefined;
  const warmStart =
    o.warmStart === undefined
      ? undefined
      : loadWarmStart(config, o.warmStart, o.studyData?.hash ?? null, o.metric);
  return {
    extras: {
      ...(spec === undefined
        ? {}
        : { objectives: { spec, shape: config.objective === 'mlp' ? shape : undefined } }),
      ...(config.enqueue === undefined ? {} : { enqueued: enqueuedParams(space, config.enqueue) }),
      ...(warmStart === undefined ? {} : { warm: warmStart.trials }),
    },
    warmStart,
  };
}

/** What every trial of the study is drawn and judged with: its sampler, pruner, metric and the extras. */
export function trialSetup(
  config: StudyConfig,
  space: SearchSpace,
  o: { key: string; metric: string; direction: Direction; extras: ReturnType<typeof setupExtras>['extras'] },
): TrialSetup {
  return {
    key: o.key,
    seed: config.seed,
    space,
    sampler: createSampler(config.sampler),
    pruner: createPruner(config.pruner, { epochs: trialEpochs(space) }),
    direction: o.direction,
    metric: o.metric,
    ...o.extras,
  };
}
