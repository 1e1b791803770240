import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Part } from '../data/types.js';
import { errorLine, LockstepError } from '../errors.js';
import { Stream, withMathRandom } from '../rng/index.js';
import { trainMlp } from '../train/loop.js';
import { checkTrialMemory, dataShape } from '../train/memory.js';
import { resolveMlpParams } from '../train/params.js';
import * as tf from '../train/tf.js';
import type { EpochCallback, EpochMetrics } from '../train/types.js';
import { failureCause, ObjectiveLoadError } from './cause.js';
import { FUNCTION_PREFIX, modules } from './registry.js';
import type { ModuleTask, Objective, ObjectiveContext, TrialResult, TrialTask } from './types.js';

export { FUNCTION_PREFIX, registerObjective } from './registry.js';

function loadObjective(file: string): Promise<Objective> {
  if (file.startsWith(FUNCTION_PREFIX) && !modules.has(file)) {
    return Promise.reject(
      new ObjectiveLoadError(
        file,
        'E_CONFIG',
        `${file}: no objective function is registered under this name`,
      ),
    );
  }
  let p = modules.get(file);
  if (p === undefined) {
    p = import(pathToFileURL(file).href).then(
      (mod: { objective?: unknown }) => {
        if (typeof mod.objective !== 'function') {
          throw new ObjectiveLoadError(
            file,
            'E_CONFIG',
            `${file}: the module does not export a function 'objective'`,
          );
        }
        return mod.objective as Objective;
      },
      (e: unknown) => {
        // Node's message names the importer (lockstep's own file), not the config's field: say it plainly.
        if (!existsSync(file)) {
          throw new ObjectiveLoadError(file, 'E_NOT_FOUND', `${file}: objective module not found`, {
            cause: e,
          });
        }
        throw new ObjectiveLoadError(
          file,
          'E_CONFIG',
          `${file}: the objective module failed to load (${errorLine(e)})`,
          { cause: e },
        );
      },
    );
    // A module that failed to load is tried again next time (it may have been fixed).
    p.catch(() => modules.delete(file));
    modules.set(file, p);
  }
  return p;
}

async function runModule(task: ModuleTask, report: EpochCallback, history: EpochMetrics[]) {
  const objective = await loadObjective(task.module);
  let stopped = false;
  const context: ObjectiveContext = {
    seed: task.seed,
    ...(task.index === undefined ? {} : { index: task.index }),
    ...(task.data === undefined ? {} : { data: task.data }),
    stream: (name: string) => Stream.of(task.seed, 'objective', name),
    report: (epoch, metrics) => {
      history.push({ ...metrics });
      if (report(epoch, metrics) !== 'stop') return 'continue';
      stopped = true;
      return 'stop';
    },
  };
  const out = await withMathRandom(Stream.of(task.seed, 'math-random'), async () =>
    objective(task.params, context),
  );
  const score = typeof out === 'number' ? out : out?.score;
  // A non-finite score (NaN, ±Infinity: a diverged loss) fails the trial, as a diverged MLP does.
  if (typeof score !== 'number' || !Number.isFinite(score)) {
    const got = typeof score === 'number' ? String(score) : JSON.stringify(out);
    throw new LockstepError(
      'E_TRIAL',
      `${task.module}: objective returned ${got}; expected a number or { score: number }`,
    );
  }
  const lastReported = history[history.length - 1] ?? {};
  const metrics = typeof out === 'number' ? lastReported : (out.metrics ?? lastReported);
  return { score, metrics, weightsHash: null, epochs: history.length, stopped };
}

/**
 * Runs one trial task in this thread — the worker's body, also usable without a pool.
 * Errors inside the trial become a 'failed' result, with the cause {@link failureCause} gives.
 */
export async function runTrialTask(task: TrialTask, onEpoch?: EpochCallback): Promise<TrialResult> {
  const history: EpochMetrics[] = [];
  const report: EpochCallback = (epoch, metrics) => {
    const answer = onEpoch?.(epoch, metrics);
    return answer === 'stop' || (task.stopAtEpoch !== undefined && epoch >= task.stopAtEpoch)
      ? 'stop'
      : undefined;
  };
  try {
    switch (task.kind) {
      case 'mlp': {
        const params = resolveMlpParams(task.params);
        if (task.memoryMb !== undefined) checkTrialMemory(params, dataShape(task.data), task.memoryMb);
        const out = await trainMlp(task.data, params, {
          seed: task.seed,
          ...(task.measureInference === true ? { keepModel: true } : {}),
          ...(task.metric === undefined ? {} : { metric: task.metric }),
          onEpoch: (epoch, metrics) => {
            history.push(metrics);
            return report(epoch, metrics);
          },
        });
        const inferenceMs =
          out.model === undefined ? undefined : inferenceTime(out.model, task.data.validation);
        out.model?.dispose();
        return {
          state: 'complete',
          score: out.score,
          metrics: out.metrics,
          history: out.history,
          weightsHash: out.weightsHash,
          epochs: out.epochs,
          stopped: out.stopped,
          ...(inferenceMs === undefined ? {} : { inferenceMs }),
        };
      }
      case 'module': {
        const out = await runModule(task, report, history);
        return { state: 'complete', history, ...out };
      }
      default: {
        const never: never = task;
        throw new LockstepError(
          'E_TRIAL',
          `unknown task kind ${JSON.stringify((never as { kind: unknown }).kind)}`,
        );
      }
    }
  } catch (e) {
    if (e instanceof LockstepError && e.code === 'E_ABORTED') throw e;
    return {
      state: 'failed',
      error: errorLine(e),
      cause: failureCause(e),
      ...(e instanceof LockstepError ? { code: e.code } : {}),
      epochs: history.length,
      history,
    };
  }
}

/**
 * Milliseconds the model takes to predict 1,000 rows: the median of five timed predictions of the validation
 * rows (after one untimed warm-up), scaled. Timing only: it depends on the machine and its load, never decides
 * a trained number, and reaches the digest only in a study that chose `inference_ms` as an objective.
 */
function inferenceTime(model: tf.LayersModel, part: Part): number {
  const rows = Math.max(1, part.n);
  const x = tf.tensor2d(part.x, [part.n, part.x.length / rows]);
  try {
    const once = (): number => {
      const t0 = performance.now(); // timing only
      const y = model.predict(x) as tf.Tensor;
      y.dataSync();
      y.dispose();
      return performance.now() - t0; // timing only
    };
    once();
    const times = [once(), once(), once(), once(), once()].sort((a, b) => a - b);
    return Math.round((times[2]! * 1000 * 1000) / rows) / 1000;
  } finally {
    x.dispose();
  }
}
