import { existsSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError, DataError, errorLine } from '../errors.js';
import { canonicalJson } from '../ledger/canonical.js';
import type { StudyBody, StudyState } from '../ledger/index.js';
import { studyDigest } from '../ledger/index.js';
import { LeaseLostError } from '../ledger/pg-claims.js';
import type { PgLedger } from '../ledger/postgres.js';
import { pgLedger } from '../ledger/url.js';
import type { TrialTask } from '../pool/index.js';
import { TrainerPool, toShared } from '../pool/index.js';
import { parseSpace } from '../space/index.js';
import { environment, initBackend } from '../train/backend.js';
import type { BackendName, MetricName } from '../train/types.js';
import type { Direction } from '../types.js';
import { configFrom, parseStudyConfig, type StudyConfig } from './config.js';
import { engineDifference, prepareStudyData, type StudyData, studyBody } from './data.js';
import { byIndex, failingFromTheStart } from './failures.js';
import { mayStart } from './lag.js';
import { objectiveOf } from './objective.js';
import { measuresInference } from './objectives.js';
import { checkStudy } from './preflight.js';
import { runRefit } from './refit.js';
import { bestTrial, refitChoice, searchResult } from './result.js';
import { setupExtras, trialSetup } from './setup.js';
import {
  environmentFailure,
  finishedRecords,
  finishedTrials,
  frontierOf,
  isFinishedForGood,
  outcomeOf,
  runTrial,
  seenBy,
  type TrialSetup,
  type TrialSpec,
  trialSpec,
} from './trial.js';
import type { SearchResult, TrialEvent } from './types.js';

/**
 * The distributed worker: any number of these, in any number of processes on any number of machines,
 * run one study together through a shared PostgreSQL ledger.
 *
 * Each slot claims the next trial index (the lowest whose claim's lease expired, else the next never
 * claimed), waits until the lag rule lets it start (every trial below i − P finished in the ledger), and
 * runs it with study/trial.ts's runTrial, the code the local controller runs, on the trials the ledger
 * shows it. Since each trial's records are a pure function of the ledger's earlier trials, the study's
 * digest is that of the same study run by one process on a file.
 *
 * A slot renews its lease while it trains; a slot whose worker vanished stops renewing, and once the lease
 * has expired the trial goes to the next claimer, whose `trial.started` supersedes the lost attempt.
 * Every append is made only while its slot still holds the claim, checked in the append's transaction.
 */
export interface WorkerOptions {
  /** A study config file (the study is created if it is new), or a study key or name in the ledger. */
  study: string | StudyConfig;
  /** With a parsed config: the folder its relative paths are taken from. */
  base?: string;
  /** The `postgres://` ledger URL. */
  ledger: string;
  /** Trials this process runs at once (worker threads); default 1. */
  workers?: number;
  /** The dataset's path, overriding the config's or the study record's. Refused unless its hash is the study's. */
  dataset?: string;
  /** A config's trial budget, overridden. */
  trials?: number;
  /** How long a claim lasts without renewal (default 30 s); renewed every third of it. */
  leaseMs?: number;
  /** Where the refit's model is written: `<out>/<study name>/best` (default `runs`). */
  out?: string;
  signal?: AbortSignal;
  /** One-line notes for a human (a server gone and back, a lost lease). */
  onNote?: (line: string) => void;
  onTrial?: (e: TrialEvent) => void;
}

export interface WorkerResult extends SearchResult {
  key: string;
  /** Trials this process finished. */
  ran: number;
}

const DEFAULT_LEASE_MS = 30_000;

/** Runs worker slots until every trial of the study has finished (and the study's refit, if it has one). */
export async function runWorker(o: WorkerOptions): Promise<WorkerResult> {
  const note = o.onNote ?? (() => {});
  const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  const isConfig = typeof o.study !== 'string' || (existsSync(o.study) && statSync(o.study).isFile());
  const ledger = await pgLedger(isConfig ? o.ledger : withStudy(o.ledger, o.study as string), {
    onRetry: note,
  });
  let pool: TrainerPool | null = null;
  try {
    const s = await joinStudy(ledger, o, isConfig);
    const { config, studyData, module, metric, direction, body, extras } = s;
    const space = parseSpace(config.space, 'space');
    const key = ledger.studyKey;
    const slots = Math.max(1, o.workers ?? 1);
    pool = new TrainerPool({
      workers: slots,
      backend: config.backend as BackendName,
      ...(config.worker_memory_mb !== undefined ? { memoryMb: config.worker_memory_mb } : {}),
    });
    const shared = studyData ? toShared(studyData.data) : null;
    const dir = resolve(o.out ?? 'runs', config.name);
    let trials = await ledger.trials();
    let ran = 0;
    let stopped = false;
    /** Set when the study's first trials all failed with one error (see failingFromTheStart): every slot stops. */
    let gaveUp: string | null = null;
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });

    const setup: TrialSetup = trialSetup(config, space, { key, metric, direction, extras });
    const taskOf = (spec: TrialSpec): TrialTask =>
      shared !== null
        ? {
            kind: 'mlp',
            data: shared,
            params: spec.params,
            seed: spec.seed,
            metric: metric as MetricName,
            ...(measuresInference(extras.objectives?.spec) ? { measureInference: true } : {}),
          }
        : { kind: 'module', module: module!, params: spec.params, seed: spec.seed, index: spec.index };

    const runOne = async (index: number, owner: string, slot: number): Promise<void> => {
      const trialAbort = new AbortController();
      const stopTrial = () => trialAbort.abort();
      abort.signal.addEventListener('abort', stopTrial, { once: true });
      let lost = false;
      const beat = setInterval(
        () => {
          ledger.claims.renew(index, owner, leaseMs).then(
            (ok) => {
              if (!ok && !lost) {
                lost = true;
                note(`trial ${index}: lease lost to another worker; dropping it`);
                trialAbort.abort();
              }
            },
            () => {}, // unreachable server: the next beat or append waits it out
          );
        },
        Math.max(50, leaseMs / 3),
      );
      const guard = { index, owner };
      try {
        await ledger.refresh();
        if (isFinishedForGood(ledger.state().trials.find((t) => t.index === index))) {
          await ledger.claims.finish(index);
          return;
        }
        // The lag rule: wait until every trial below index − P has finished for good.
        let delay = 10;
        while (!mayStart(index, config.parallelism, frontierOf(ledger.state()))) {
          if (trialAbort.signal.aborted) return;
          if (await ledger.claims.expiredBelow(index)) {
            // A lost worker's trial below this one: take it first (this one goes back to the pool).
            await ledger.claims.release(index, owner);
            return;
          }
          await sleep(delay);
          delay = Math.min(250, delay * 2);
          await ledger.refresh();
        }
        const seen = seenBy(index, config.parallelism, finishedTrials(ledger.state(), metric));
        const spec = trialSpec(setup, index, seen);
        let environmentLost = false;
        const outcome = await runTrial(setup, spec, seen, {
          runner: {
            run: async (spec, { signal, onEpoch }) => {
              try {
                // Waits for every epoch's answer (whatever the pruner): its record is appended first.
                const r = await pool!.run(taskOf(spec), { signal, onEpoch });
                return lost ? null : outcomeOf(r);
              } catch (e) {
                if (lost || signal.aborted) return null;
                return environmentFailure(errorLine(e));
              }
            },
          },
          sink: {
            started: async (spec) => {
              await ledger.appendAll(
                [{ type: 'trial.started', index, id: spec.id, seed: spec.seed, params: spec.params }],
                guard,
              );
            },
            progress: async (index, epoch, metrics) => {
              await ledger.appendAll([{ type: 'trial.progress', index, epoch, metrics }], guard);
            },
            finished: async (spec, outcome, meta, last) => {
              environmentLost = outcome.state === 'failed' && outcome.cause === 'environment';
              // One transaction: the outcome and the claim marked done (unless it is to be run again).
              await ledger.appendAll(finishedRecords(spec, outcome, meta, last), {
                ...guard,
                done: !environmentLost,
              });
            },
          },
          signal: trialAbort.signal,
          mayStop: true,
          worker: slot,
          now: () => performance.now(), // timing only
        });
        if (outcome === null) {
          if (lost) throw new LeaseLostError(`trial ${index}: lease lost`);
          // Interrupted: the attempt stays unfinished, and a later trial.started supersedes it.
          await ledger.claims.release(index, owner);
          return;
        }
        // A failure of the environment (a lost thread, a timeout) is run again, by whoever claims it next.
        if (environmentLost) await ledger.claims.release(index, owner);
        else {
          ran++;
          const state = ledger.state();
          o.onTrial?.({
            index,
            id: spec.id,
            state: outcome.state,
            score: outcome.state === 'failed' ? null : outcome.score,
            done: state.trials.filter(isFinishedForGood).length,
            total: trials,
            best: extras.objectives === undefined ? (bestTrial(state, direction)?.score ?? null) : null,
          });
        }
      } catch (e) {
        if (!(e instanceof LeaseLostError)) throw e;
        note(errorLine(e));
      } finally {
        clearInterval(beat);
        abort.signal.removeEventListener('abort', stopTrial);
      }
    };

    const allFinished = (state: StudyState) => frontierOf(state) >= trials;

    const runSlot = async (slot: number): Promise<void> => {
      const owner = `${hostname()}/${process.pid}/${slot}`;
      let delay = 20;
      while (!abort.signal.aborted) {
        gaveUp ??= failingFromTheStart(byIndex(ledger.state().trials), trials);
        if (gaveUp !== null) {
          abort.abort();
          return;
        }
        const index = await ledger.claims.claim(owner, leaseMs);
        if (index !== null) {
          delay = 20;
          await runOne(index, owner, slot);
          continue;
        }
        await ledger.refresh();
        trials = await ledger.trials();
        const state = ledger.state();
        if (allFinished(state)) {
          if (!needsRefit(config, studyData, state, direction)) return;
          if (await ledger.claims.claimIndex(-1, owner, leaseMs)) {
            await refit(ledger, {
              owner,
              leaseMs,
              config,
              studyData: studyData!,
              metric,
              direction,
              dir,
              body,
            });
            return;
          }
        }
        // Everything is claimed by live workers: wait for the end, or for a lease to expire.
        await sleep(delay);
        delay = Math.min(500, delay * 2);
      }
    };

    try {
      await Promise.all(Array.from({ length: slots }, (_x, k) => runSlot(k)));
    } catch (e) {
      abort.abort();
      throw e;
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
    stopped = abort.signal.aborted;
    await ledger.refresh();
    const state = ledger.state();
    const result = searchResult(state, {
      study: config.name,
      digest: studyDigest(state),
      ledger: ledger.location,
      dir,
      direction,
      stopped,
      warnings: [],
      gaveUp,
    });
    return { ...result, key, ran };
  } finally {
    await pool?.close();
    await ledger.close();
  }
}

interface JoinedStudy {
  config: StudyConfig;
  studyData: StudyData | null;
  module: string | undefined;
  metric: string;
  direction: Direction;
  body: StudyBody;
  extras: ReturnType<typeof setupExtras>['extras'];
}

/**
 * Opens the study named by `o.study` (creating it from a config when it is new), with its dataset found
 * and checked: refused unless its SHA-256 is the study's, and unless this engine computes the same numbers.
 */
async function joinStudy(ledger: PgLedger, o: WorkerOptions, isConfig: boolean): Promise<JoinedStudy> {
  if (isConfig) {
    const { config, resolved: paths } = configFrom(o.study, { base: o.base, trials: o.trials });
    await initBackend(config.backend as BackendName);
    const datasetPath = o.dataset ?? paths.dataset;
    const studyData = config.objective === 'mlp' ? await prepareStudyData(config, datasetPath!) : null;
    // What is sure to fail every trial is refused before the study is created.
    checkStudy(
      config,
      parseSpace(config.space, 'space'),
      studyData?.schema.task,
      typeof o.study === 'string' ? o.study : 'config',
    );
    const { metric, direction } = objectiveOf(config, studyData?.schema.task);
    const { extras, warmStart } = setupExtras(config, parseSpace(config.space, 'space'), {
      studyData,
      metric,
      warmStart: paths.warmStart,
    });
    const body = studyBody(config, studyData, paths.module, warmStart?.ref);
    const cHash = body.configHash;
    await ledger.ensureTables();
    // The same study (name and config) recorded with other data: this dataset is the wrong one.
    for (const other of await ledger.studies()) {
      if (other.name !== config.name || other.key === body.key) continue;
      const probe = await pgLedger(withStudy(o.ledger, other.key));
      try {
        await probe.open();
        const rec = probe.state().study;
        if (rec.configHash === cHash && studyData !== null && rec.dataset !== null) {
          throw new DataError(
            `${datasetPath}: dataset hash ${studyData.hash.slice(0, 16)}… differs from the study's ${rec.dataset.hash.slice(0, 16)}… (study ${config.name} ${other.key}); a worker needs the same bytes`,
          );
        }
      } finally {
        await probe.close();
      }
    }
    await ledger.openOrCreate(body, config.budget.trials);
    checkEngine(ledger, body);
    if (ledger.state().study.warmStart?.digest !== body.warmStart?.digest) {
      throw new ConfigError(
        `${ledger.location}: the study's warm-start ledger is not the study it saw (digest ${ledger.state().study.warmStart?.digest.slice(0, 12) ?? 'none'}… recorded, ${body.warmStart?.digest.slice(0, 12) ?? 'none'}… now)`,
      );
    }
    return { config, studyData, module: paths.module, metric, direction, body, extras };
  }

  await ledger.open();
  const url = ledger.location;
  const study = ledger.state().study;
  let config = parseStudyConfig(
    { ...study.config, budget: { trials: Math.max(1, await ledger.trials()) } },
    `${url}: study config`,
  );
  if (o.trials !== undefined) config = { ...config, budget: { ...config.budget, trials: o.trials } };
  await initBackend(config.backend as BackendName);
  let studyData: StudyData | null = null;
  if (config.objective === 'mlp') {
    const source = o.dataset ?? study.dataset?.source;
    if (source === undefined)
      throw new DataError(`${url}: the study records no dataset; give --dataset PATH`);
    studyData = await prepareStudyData(config, source);
    if (studyData.hash !== study.dataset?.hash) {
      throw new DataError(
        `${source}: dataset hash ${studyData.hash.slice(0, 16)}… differs from the study's ${study.dataset?.hash.slice(0, 16)}…; a worker needs the same bytes`,
      );
    }
    if (canonicalJson(studyData.pipeline) !== canonicalJson(study.preprocessing)) {
      throw new DataError(`${source}: the rebuilt preprocessing differs from the study's (engine change?)`);
    }
  }
  if (typeof config.objective === 'object' && 'function' in config.objective) {
    throw new ConfigError(
      `study ${study.name}: its objective is a function (${config.objective.function}), which runs only in the process that defines it: run it with search() from code, not with lockstep worker`,
    );
  }
  const module = typeof config.objective === 'object' ? resolve(config.objective.module) : undefined;
  if (module !== undefined && !existsSync(module)) {
    throw new ConfigError(
      `${module}: the study's objective module is not here (run the worker from the study's folder)`,
    );
  }
  const { metric, direction } = objectiveOf(config, studyData?.schema.task);
  const { extras, warmStart } = setupExtras(config, parseSpace(config.space, 'space'), {
    studyData,
    metric,
    warmStart: study.warmStart?.ledger,
  });
  if (warmStart !== undefined && warmStart.ref.digest !== study.warmStart?.digest) {
    throw new ConfigError(
      `${url}: the study's warm-start ledger ${warmStart.ref.ledger} changed since the study began (digest ${study.warmStart?.digest.slice(0, 12)}… recorded, ${warmStart.ref.digest.slice(0, 12)}… now)`,
    );
  }
  const body = { ...study };
  checkEngine(ledger, { ...body, environment: environment() });
  return { config, studyData, module, metric, direction, body, extras };
}

/** Refuses to join a study recorded with another numeric backend or engine: its numbers would differ. */
function checkEngine(ledger: PgLedger, mine: StudyBody): void {
  const problem = engineDifference(ledger.state().study.environment, mine.environment);
  if (problem !== undefined) throw new ConfigError(`${ledger.location}: cannot join this study: ${problem}`);
}

function needsRefit(
  config: StudyConfig,
  studyData: StudyData | null,
  state: StudyState,
  direction: Direction,
): boolean {
  return config.refit && studyData !== null && state.refit === null && refitChoice(state, direction) !== null;
}

async function refit(
  ledger: PgLedger,
  o: {
    owner: string;
    leaseMs: number;
    config: StudyConfig;
    studyData: StudyData;
    metric: string;
    direction: Direction;
    dir: string;
    body: StudyBody;
  },
): Promise<void> {
  const beat = setInterval(
    () => void ledger.claims.renew(-1, o.owner, o.leaseMs).catch(() => {}),
    Math.max(50, o.leaseMs / 3),
  );
  try {
    const best = refitChoice(ledger.state(), o.direction)!;
    const r = await runRefit({
      studyData: o.studyData,
      best,
      seed: o.config.seed,
      metric: o.metric,
      dir: o.dir,
      body: o.body,
    });
    await ledger.appendAll([{ type: 'refit', ...r.record }], { index: -1, owner: o.owner, done: true });
  } finally {
    clearInterval(beat);
  }
}

/** The ledger URL with `?study=` set to `study`. */
function withStudy(url: string, study: string): string {
  const u = new URL(url);
  u.searchParams.set('study', study);
  return u.toString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
