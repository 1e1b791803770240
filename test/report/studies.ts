/**
 * Real studies for the report tests: small searches on the built-in penguins table, run by the
 * compiled CLI (a few epochs each, about a second).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { cli } from '../helpers/cli.js';

/**
 * Integer (linear and log), float (log), categorical and conditional parameters; Hyperband prunes
 * some trials, none fails.
 */
export const MIXED_SPACE_STUDY = `name: mixed-space
seed: 42
dataset: builtin:penguins
target: Species
split: { kind: holdout, train: 0.6, validation: 0.2, test: 0.2 }
metric: accuracy
space:
  layers: { type: int, low: 1, high: 2 }
  units_1: { type: int, low: 16, high: 128, log: true }
  activation: [relu, tanh, elu]
  optimizer: [adam, sgd]
  learning_rate: { type: float, low: 1.0e-3, high: 1.0e-1, log: true }
  momentum: { type: float, low: 0, high: 0.99, when: { optimizer: sgd } }
  batch_size: [32, 64]
  epochs: 9
sampler: random
pruner: { name: hyperband, min_epochs: 1, eta: 3 }
parallelism: 1
budget: { trials: 16 }
`;

/** The \`mlp-default\` preset (eleven parameters, so a wide trials table). */
export const PRESET_STUDY = `name: preset
seed: 5
dataset: builtin:penguins
target: Species
metric: accuracy
space: mlp-default
sampler: random
parallelism: 1
budget: { trials: 6 }
`;

/** Writes \`yaml\` as \`<dir>/<name>.yaml\`, runs the search, and returns its ledger's path. */
export async function runStudy(dir: string, name: string, yaml: string): Promise<string> {
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, yaml.replace(/^name: .*$/m, `name: ${name}`));
  const r = await cli(['search', config], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return join(dir, 'runs', name, 'ledger.jsonl');
}

/**
 * Adam or plain SGD at small learning rates, 8 epochs, a median pruner from the third trial on: SGD
 * learns slowly, so 7 of its 8 trials are pruned after 2 or 4 epochs, and the one that completes
 * is no worse than Adam's. Among complete trials alone the optimizer explains nothing.
 */
export const PRUNED_SGD_STUDY = `name: pruned-sgd
seed: 4
dataset: builtin:penguins
target: Species
split: { kind: holdout, train: 0.6, validation: 0.2, test: 0.2 }
metric: accuracy
space:
  optimizer: [adam, sgd]
  learning_rate: { type: float, low: 1.0e-3, high: 1.0e-2, log: true }
  units_1: { type: int, low: 8, high: 32 }
  epochs: 8
sampler: random
pruner: { name: median, n_startup_trials: 2, n_warmup_steps: 1 }
parallelism: 1
budget: { trials: 16 }
`;

/**
 * Accuracy against parameter count (NSGA-II, three epochs a trial), models over 6000 bytes infeasible;
 * `MULTI_OBJECTIVE_3` adds train_loss as a third objective.
 */
export const MULTI_OBJECTIVE_STUDY = `name: multi-objective
seed: 3
dataset: builtin:penguins
target: Species
objectives: [accuracy, param_count]
constraints: [{ name: size_bytes, max: 6000 }]
space:
  units_1: { type: int, low: 2, high: 64, log: true }
  learning_rate: { type: float, low: 1.0e-3, high: 1.0e-1, log: true }
  epochs: 3
sampler: nsga2
parallelism: 2
budget: { trials: 12 }
`;

export const MULTI_OBJECTIVE_3 = MULTI_OBJECTIVE_STUDY.replace(
  'objectives: [accuracy, param_count]',
  'objectives: [accuracy, param_count, train_loss]',
);
