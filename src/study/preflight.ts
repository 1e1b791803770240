import type { Task } from '../data/types.js';
import { ConfigError, ParamError } from '../errors.js';
import type { Distribution, ParamValue, SearchSpace } from '../space/types.js';
import { checkMetric } from '../train/metrics.js';
import { MAX_LAYERS, MLP_DEFAULTS, resolveMlpParams } from '../train/params.js';
import type { MetricName } from '../train/types.js';
import type { StudyConfig } from './config.js';

/**
 * What can be known to fail before the first trial runs, so that a study that cannot succeed is refused at
 * once (one line naming the field, exit 2, nothing written) instead of failing every trial:
 * - the metric against the task (`accuracy` on a regression target);
 * - for the built-in MLP, each parameter's name against the MLP's parameters (`lr` for `learning_rate`),
 *   and its values against the MLP's rules when none of them is valid (`batch_size: 0`).
 * A user module's parameters cannot be checked: only its objective knows them.
 *
 * `where` names the config (its file) in messages; `task` is the dataset's, once it is known.
 */
export function checkStudy(
  config: StudyConfig,
  space: SearchSpace,
  task: Task | undefined,
  where: string,
): void {
  if (config.objective !== 'mlp') return;
  checkMlpSpace(space, where);
  if (task !== undefined && config.metric !== undefined) {
    try {
      checkMetric(task, config.metric as MetricName);
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(`${where}: ${e.message}`, { cause: e });
      throw e;
    }
  }
}

const UNITS_K = /^units_(\d+)$/;
const KNOWN = [...Object.keys(MLP_DEFAULTS), `units_1..units_${MAX_LAYERS}`];

function isMlpParam(name: string): boolean {
  if (Object.hasOwn(MLP_DEFAULTS, name)) return true;
  const m = UNITS_K.exec(name);
  return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= MAX_LAYERS;
}

/** Throws ConfigError for the first parameter the MLP does not know, or whose every value it refuses. */
function checkMlpSpace(space: SearchSpace, where: string): void {
  for (const { name, dist } of space.params) {
    if (!isMlpParam(name)) {
      throw new ConfigError(
        `${where}: space.${name}: not a parameter of the built-in MLP; expected one of ${KNOWN.join(', ')}`,
      );
    }
    let first: string | undefined;
    let valid = false;
    for (const v of candidates(dist)) {
      try {
        resolveMlpParams({ [name]: v });
        valid = true;
        break;
      } catch (e) {
        if (!(e instanceof ParamError)) throw e;
        // "params.<name>: expected …, got …": the rule, said of the config's field.
        first ??= e.message.slice(e.message.indexOf(': ') + 2);
      }
    }
    if (!valid) {
      const which =
        dist.type === 'fixed'
          ? ''
          : dist.type === 'categorical'
            ? 'no choice is valid: '
            : `no value in [${dist.low}, ${dist.high}] is valid: `;
      throw new ConfigError(`${where}: space.${name}: ${which}${first ?? 'invalid'}`);
    }
  }
}

/**
 * Values that stand for every value a distribution can give, as far as the MLP's rules go. Each rule is an
 * interval (of integers or of numbers) that holds 0, 0.5, 1 or an integer up to MAX_LAYERS: so when any
 * value of a range [low, high] is valid, low, high or one of those inside the range is. A value that the
 * step or the log scale would never give can only make the check lenient, never refuse a valid space.
 */
function candidates(dist: Distribution): ParamValue[] {
  switch (dist.type) {
    case 'fixed':
      return [dist.value];
    case 'categorical':
      return dist.choices;
    case 'float':
    case 'int': {
      const inner = [0, 0.5, ...Array.from({ length: MAX_LAYERS }, (_x, k) => k + 1)].filter(
        (x) => x > dist.low && x < dist.high && (dist.type === 'float' || Number.isInteger(x)),
      );
      return [dist.low, dist.high, ...inner];
    }
    default: {
      const never: never = dist;
      return never;
    }
  }
}
