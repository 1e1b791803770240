import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { registerObjective } from '../pool/registry.js';
import type { Objective } from '../pool/types.js';
import { defaultMetric, METRIC_DIRECTION } from '../train/metrics.js';
import type { Direction } from '../types.js';
import type { StudyConfig } from './config.js';

/** The study's metric and direction. */
export function objectiveOf(
  config: StudyConfig,
  task: string | undefined,
): { metric: string; direction: Direction } {
  if (config.objective !== 'mlp') {
    return { metric: 'value', direction: config.direction ?? 'minimize' };
  }
  // With several objectives, the first one is the study's score when it is a metric (else the task's default).
  const first = config.objectives?.[0];
  const firstName = typeof first === 'string' ? first : first?.name;
  const metric =
    config.metric ??
    (firstName !== undefined && firstName in METRIC_DIRECTION
      ? (firstName as keyof typeof METRIC_DIRECTION)
      : defaultMetric(task as 'binary' | 'multiclass' | 'regression'));
  const direction = METRIC_DIRECTION[metric];
  if (config.direction !== undefined && config.direction !== direction) {
    throw new ConfigError(
      `config: direction: metric '${metric}' is to ${direction}, but direction says ${config.direction}`,
    );
  }
  return { metric, direction };
}

/** The SHA-256 of an objective function's source text: part of the study's identity. */
export function objectiveSourceHash(objective: Objective): string {
  return createHash('sha256').update(objective.toString()).digest('hex');
}

/**
 * For a config whose objective is a function: checks the given function against the recorded hash and
 * registers it for this thread; returns the name its tasks carry. Undefined for other objectives.
 */
export function functionObjective(config: StudyConfig, objective: Objective | undefined): string | undefined {
  const o = config.objective;
  if (typeof o !== 'object' || !('function' in o)) return undefined;
  if (objective === undefined) {
    throw new ConfigError(
      `config: objective: the study's objective is a function (${o.function}); pass it (search({ …, objective }) or replay({ …, objective }) from code)`,
    );
  }
  const hash = objectiveSourceHash(objective);
  if (hash !== o.sha256) {
    throw new ConfigError(
      `config: objective: the function's source hashes to ${hash.slice(0, 12)}…, the study recorded ${o.sha256.slice(0, 12)}… (the function changed: start a new study)`,
    );
  }
  return registerObjective(o.sha256, objective);
}
